package crashtest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/archive"
	"github.com/diembao/diembao/crawl"
	"github.com/diembao/diembao/internal/demosite"
	"github.com/diembao/diembao/sqlite"
)

// childEnv names the data directory of a crawl run as a child process.
const childEnv = "DIEMBAO_CRASHTEST_DIR"

// maxAttempts is the retry cap of the crawls under test.
const maxAttempts = 10

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := child(dir); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var titleRE = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// child crawls every source of the store in dir once, storing each page as
// an article whose text is a digest of the page.
func child(dir string) error {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "diembao.db"), nil)
	if err != nil {
		return err
	}
	defer db.Close()
	w, err := archive.NewWriter(archive.WriterConfig{Dir: filepath.Join(dir, "warc"), MaxFileSize: 64 << 10})
	if err != nil {
		return err
	}
	defer w.Close()
	fr := sqlite.NewFrontierService(db)
	// The articles go to a table of their own, keyed like the store's by
	// canonical URL and content hash, so that the child starts fast; each
	// hand-over is counted too.
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE IF NOT EXISTS crash_articles (
		url TEXT PRIMARY KEY, hash TEXT NOT NULL, title TEXT NOT NULL, stores INTEGER NOT NULL DEFAULT 1)`); err != nil {
		return err
	}
	svc := crawl.Services{Sources: sqlite.NewSourceService(db), Frontier: fr, Feeds: fr, Fetches: sqlite.NewFetchService(db)}
	cfg := crawl.Config{
		Guard: &crawl.Guard{AllowPrivate: true},
		// Slow enough that a random kill usually lands mid-crawl.
		HostDelay:   50 * time.Millisecond,
		Backoff:     10 * time.Millisecond,
		MaxBackoff:  50 * time.Millisecond,
		MaxAttempts: maxAttempts,
		Lease:       300 * time.Millisecond,
		OnceWait:    3 * time.Second,
	}
	c, err := crawl.New(cfg, svc, w, func(ctx context.Context, src *diembao.Source, f *diembao.Fetch, body []byte) error {
		sum := sha256.Sum256(body)
		title := "?"
		if m := titleRE.FindSubmatch(body); m != nil {
			title = strings.TrimSpace(string(m[1]))
		}
		// Storing the same URL and content again is a no-op, as in the
		// store; other content for a known URL counts as a second store.
		_, err := db.SQL().ExecContext(ctx, `INSERT INTO crash_articles (url, hash, title) VALUES (?, ?, ?)
			ON CONFLICT (url) DO UPDATE SET stores = stores + 1, hash = excluded.hash WHERE hash <> excluded.hash`,
			f.URL, hex.EncodeToString(sum[:]), title)
		return err
	}, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("ready")
	start := time.Now()
	sum, err := c.RunOnce(ctx)
	if sum != nil {
		for _, p := range sum.Sources {
			fmt.Printf("%s: feeds %d new %d fetched %d failed %d pending %d err %v\n", p.Source.Name, p.Feeds, p.Discovered, p.Fetched, p.Failed, p.Pending, p.Err)
		}
	}
	fmt.Println("took", time.Since(start))
	return err
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash-safety test runs crawls in subprocesses; skipped in -short mode")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	site, err := demosite.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "diembao.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	sources := sqlite.NewSourceService(db)
	for _, s := range site.Sources() {
		if err := sources.CreateSource(ctx, &s); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	// run starts a crawl and, when killAfter is positive, kills it with
	// SIGKILL that long after it is ready to crawl. It reports whether the
	// crawl was killed before it finished.
	run := func(killAfter time.Duration) (killed bool, took time.Duration) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+dir, "GORACE=atexit_sleep_ms=0")
		var errOut strings.Builder
		cmd.Stderr = &errOut
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan struct{})
		var out strings.Builder
		scanned := make(chan struct{})
		go func() {
			defer close(scanned)
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == "ready" {
					close(ready)
					continue
				}
				out.WriteString(sc.Text() + "\n")
			}
		}()
		done := make(chan error, 1)
		go func() {
			<-scanned
			done <- cmd.Wait()
		}()
		var timer <-chan time.Time
		start := time.Now()
		if killAfter > 0 {
			select {
			case <-ready:
				start = time.Now()
				timer = time.After(killAfter)
			case err := <-done:
				t.Fatalf("crawl ended before it was ready: %v\n%s", err, errOut.String())
			}
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("crawl failed: %v\n%s%s", err, out.String(), errOut.String())
			}
			if killAfter == 0 {
				t.Logf("clean run:\n%s", out.String())
			}
			return false, time.Since(start)
		case <-timer:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return true, time.Since(start)
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("crawl did not finish\n%s", errOut.String())
		}
		return false, 0
	}
	// Kill crawls at random moments until 20 of them died. A crawl that
	// finishes first is simply started again, and later kills are drawn
	// from within the time such a crawl took: as the site gets crawled, the
	// runs get shorter.
	kills, runs := 0, 0
	span := time.Second
	for ; kills < 20 && runs < 100; runs++ {
		killed, took := run(time.Duration(1 + rand.Int64N(int64(span))))
		if killed {
			kills++
		} else {
			span = max(took*9/10, 2*time.Millisecond)
		}
	}
	if kills < 20 {
		t.Fatalf("only %d of %d crawls were killed", kills, runs)
	}
	db, err = sqlite.Open(ctx, filepath.Join(dir, "diembao.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var before int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM crash_articles`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Logf("%d of %d crawls killed; %d articles stored by then", kills, runs, before)
	// Then run to completion twice: the second run must find nothing left.
	for range 2 {
		run(0)
	}

	db, err = sqlite.Open(ctx, filepath.Join(dir, "diembao.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fr := sqlite.NewFrontierService(db)
	st, err := fr.FrontierStats(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Failed != 0 || st.Pending != 0 || st.Leased != 0 {
		t.Errorf("frontier after the crawls: %+v, want every item done", st)
	}

	// Every article of the site is stored, once.
	rows, err := db.SQL().QueryContext(ctx, `SELECT url, stores FROM crash_articles`)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	stored := 0
	for rows.Next() {
		var u string
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			t.Fatal(err)
		}
		count[u] += n
		stored++
	}
	rows.Close()
	want := site.Articles()
	for _, a := range want {
		u, _ := crawl.Canonicalize(a.URL, nil)
		if count[u] != 1 {
			t.Errorf("article %s stored %d times, want once", u, count[u])
		}
	}
	if stored != len(want) {
		t.Errorf("%d articles stored, want %d", stored, len(want))
	}

	// Every WARC file reads to its end, and no page was fetched more often
	// than it was leased.
	files, _ := filepath.Glob(filepath.Join(dir, "warc", "*"))
	fetched := map[string]int{}
	for _, f := range files {
		if strings.HasSuffix(f, ".open") {
			t.Errorf("%s left open after a clean run", f)
			continue
		}
		r, err := archive.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("WARC file %s: %v", filepath.Base(f), err)
				break
			}
			if rec.IsHTTPResponse() {
				fetched[rec.TargetURI]++
			}
		}
		r.Close()
	}
	if len(files) < 2 {
		t.Errorf("%d WARC files, want several (rotated and restarted)", len(files))
	}
	for _, a := range want {
		u, _ := crawl.Canonicalize(a.URL, nil)
		it, err := fr.FindFrontierItem(ctx, u)
		if err != nil {
			t.Errorf("article %s not in the frontier: %v", u, err)
			continue
		}
		if fetched[u] == 0 || fetched[u] > it.Attempts || it.Attempts > maxAttempts {
			t.Errorf("article %s fetched %d times in %d attempts (cap %d)", u, fetched[u], it.Attempts, maxAttempts)
		}
	}
}
