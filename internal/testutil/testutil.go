// Package testutil holds helpers shared by the tests of several packages:
// a fresh PostgreSQL schema per test (from DIEMBAO_TEST_POSTGRES) and
// temporary database files. It imports no store, so that the tests inside
// package sqlite or postgres may use it too.
package testutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresEnv is the environment variable that holds the connection string
// of the PostgreSQL database tests may use.
const PostgresEnv = "DIEMBAO_TEST_POSTGRES"

// PostgresDSN returns a connection string for a schema of its own on the
// test database named by DIEMBAO_TEST_POSTGRES, so that concurrent test
// runs never see each other's tables; the schema is dropped when the test
// ends. The test is skipped, with a message saying how to run it, when the
// variable is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set: set it to a PostgreSQL connection string "+
			"(postgres://user:pass@127.0.0.1:5432/db?sslmode=disable) to run the PostgreSQL tests", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("testutil: connect to %s: %v", PostgresEnv, err)
	}
	defer conn.Close(ctx)
	schema := "test_" + randomHex(8)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("testutil: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("testutil: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("testutil: drop schema %s: %v", schema, err)
		}
	})
	// Tests need no durability: not waiting for the disk makes each
	// commit, schema creation included, much cheaper.
	return withParam(WithSearchPath(base, schema), "synchronous_commit", "off")
}

// WithSearchPath returns the connection string dsn (URL or key=value form)
// with its search_path set to schema.
func WithSearchPath(dsn, schema string) string {
	return withParam(dsn, "search_path", schema)
}

// withParam returns dsn with the run-time parameter key set to value.
func withParam(dsn, key, value string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set(key, value)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " " + key + "=" + value
}

// TempPath returns the path of a file named name in a temporary directory
// that is removed when the test ends; the file itself is not created.
func TempPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(t.TempDir(), name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return hex.EncodeToString(b)
}
