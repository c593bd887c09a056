package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// openTest opens a fresh database in a temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := OpenDir(context.Background(), t.TempDir(), nil)
	if err != nil {
		t.Fatalf("OpenDir: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// exec runs statements on db.
func exec(t testing.TB, db *DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// fixtureArticles reads testdata/articles.json, articles written for these
// tests.
func fixtureArticles(t testing.TB) []*diembao.Article {
	t.Helper()
	buf, err := os.ReadFile(filepath.Join("testdata", "articles.json"))
	if err != nil {
		t.Fatal(err)
	}
	var raw []struct {
		URL       string              `json:"url"`
		Source    string              `json:"source"`
		Section   string              `json:"section"`
		Author    string              `json:"author"`
		Title     string              `json:"title"`
		Sapo      string              `json:"sapo"`
		Body      []diembao.Paragraph `json:"body"`
		Captions  []string            `json:"captions"`
		Published time.Time           `json:"published"`
	}
	if err := json.Unmarshal(buf, &raw); err != nil {
		t.Fatal(err)
	}
	var list []*diembao.Article
	for _, r := range raw {
		list = append(list, &diembao.Article{
			URL: r.URL, SourceName: r.Source, Section: r.Section, Author: r.Author,
			Title: r.Title, Sapo: r.Sapo, Body: r.Body, Captions: r.Captions,
			Published: r.Published.In(diembao.Vietnam), PublishedPrecision: diembao.PrecisionMinute,
		})
	}
	return list
}

// loadFixtures stores the fixture articles and returns them by URL.
func loadFixtures(t testing.TB, db *DB) map[string]*diembao.Article {
	t.Helper()
	svc := NewArticleService(db)
	byURL := map[string]*diembao.Article{}
	for _, a := range fixtureArticles(t) {
		if _, err := svc.PutArticle(context.Background(), a); err != nil {
			t.Fatalf("PutArticle %s: %v", a.URL, err)
		}
		byURL[a.URL] = a
	}
	return byURL
}

func TestOpenMigrates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	ctx := context.Background()
	db, err := OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no migration recorded")
	}
	var mode string
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	db.Close()
	// Opening again applies nothing twice.
	db, err = OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	var m int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&m); err != nil {
		t.Fatal(err)
	}
	if m != n {
		t.Errorf("migrations after reopen = %d, want %d", m, n)
	}
}

func TestOpenBadFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) string
		code  string
		want  string
	}{
		{"garbage file", func(dir string) string {
			os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("not a database ", 400)), 0o644)
			return dir
		}, diembao.EINVALID, "not a diembao database or is damaged"},
		{"damaged header", func(dir string) string {
			db, err := OpenDir(context.Background(), dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			os.Remove(filepath.Join(dir, FileName+"-wal"))
			os.Remove(filepath.Join(dir, FileName+"-shm"))
			f, _ := os.OpenFile(filepath.Join(dir, FileName), os.O_RDWR, 0)
			f.WriteAt([]byte("XXXXXXXXXXXXXXXX"), 0)
			f.Close()
			return dir
		}, diembao.EINVALID, "damaged"},
		{"garbage sequences file", func(dir string) string {
			os.WriteFile(SequencesPath(filepath.Join(dir, FileName)), []byte(strings.Repeat("not a database ", 400)), 0o644)
			return dir
		}, diembao.EUNAVAILABLE, "remove it: diembao rebuilds it"},
		{"data directory is a file", func(dir string) string {
			p := filepath.Join(dir, "file")
			os.WriteFile(p, []byte("x"), 0o644)
			return p
		}, diembao.EINVALID, "is a file"},
		{"no directory", func(string) string { return "" }, diembao.EINVALID, "no data directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.setup(t.TempDir())
			db, err := OpenDir(context.Background(), dir, nil)
			if err == nil {
				db.Close()
				t.Fatal("OpenDir succeeded, want an error")
			}
			if got := diembao.ErrorCode(err); got != tt.code {
				t.Errorf("code = %q, want %q (%v)", got, tt.code, err)
			}
			if msg := diembao.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message = %q, want it to contain %q", msg, tt.want)
			}
			if tt.name == "garbage file" {
				for _, p := range []string{SequencesPath(filepath.Join(dir, FileName)), SequencesDataPath(filepath.Join(dir, FileName))} {
					if _, err := os.Stat(p); !os.IsNotExist(err) {
						t.Errorf("%s beside a file that is not a database: %v", p, err)
					}
				}
			}
		})
	}
}

func TestOpenTunesIndex(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var want int64
	for _, s := range indexSettings {
		if s.name == "automerge" {
			want = s.value
		}
	}
	if want == 0 {
		t.Fatal("indexSettings has no automerge")
	}
	automerge := func(db *DB) int64 {
		t.Helper()
		var v int64
		if err := db.SQL().QueryRowContext(ctx, `SELECT v FROM article_index_config WHERE k = 'automerge'`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	db, err := OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := automerge(db); got != want {
		t.Errorf("automerge = %d after creating the database, want %d", got, want)
	}
	// A database whose setting was changed is tuned again when opened.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO article_index (article_index, rank) VALUES ('automerge', ?)`, want+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := automerge(db); got != want {
		t.Errorf("automerge = %d after reopening, want %d", got, want)
	}
}

// TestCheckpoints checks that the log's pages reach the database file
// while it is open, from the checkpoints of the DB's own goroutine: in WAL
// mode only a checkpoint writes the file, and commits do so themselves
// only past 256 MB of log.
func TestCheckpoints(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	// Let any checkpoint after the migrations pass, then note the size.
	time.Sleep(2 * checkpointEvery)
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	before := fi.Size()
	svc := NewArticleService(db)
	for i, a := range fixtureArticles(t) {
		a.URL = fmt.Sprintf("https://checkpoint.example/%d", i)
		if _, err := svc.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(checkpointEvery / 4) {
		if fi, err := os.Stat(db.Path()); err != nil {
			t.Fatal(err)
		} else if fi.Size() > before {
			return
		}
	}
	t.Fatalf("the database file stayed at %d bytes while articles were written", before)
}

// TestPageCache checks that SQLite took the page cache configuration
// before its first connection, and that connections ask for the cache it
// was sized for.
func TestPageCache(t *testing.T) {
	if pageCacheErr != nil {
		t.Fatalf("page cache not configured: %v", pageCacheErr)
	}
	db := openTest(t)
	var kib int
	if err := db.db.QueryRow(`PRAGMA cache_size`).Scan(&kib); err != nil {
		t.Fatal(err)
	}
	if kib != -cacheKiB {
		t.Errorf("cache_size = %d, want %d", kib, -cacheKiB)
	}
}
