package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/demosite"
)

// TestSourcesAndCrawl adds a demo outlet by its homepage alone, checks it,
// crawls it twice and removes it.
func TestSourcesAndCrawl(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	site, err := demosite.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	outlet := site.Sources()[0]
	want := 0
	for _, a := range site.Articles() {
		if a.SourceName == outlet.Name {
			want++
		}
	}
	dir := t.TempDir()
	net := []string{"--allow-private", "--host-delay", "1ms"}

	code, out, errs := run(t, append([]string{"sources", "add", "--data", dir, "--name", outlet.Name, "--collection", "demo", outlet.Homepage}, net...)...)
	if code != 0 || !strings.Contains(out, "feed") {
		t.Fatalf("sources add: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = run(t, "sources", "add", "--data", dir, "--name", "Khác", outlet.Homepage)
	if code != 1 || !strings.Contains(errs, "--allow-private") {
		t.Fatalf("sources add of a loopback site without the allowance: exit %d, %q", code, errs)
	}
	code, _, errs = run(t, "sources", "add", "--data", dir, "ftp://example.vn/")
	if code != 1 || !strings.Contains(errs, "not an http or https URL") {
		t.Fatalf("sources add of an ftp URL: exit %d, %q", code, errs)
	}

	code, out, errs = run(t, "sources", "list", "--json", "--data", dir)
	var list []diembao.Source
	if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil {
		t.Fatalf("sources list --json: exit %d, %v\n%s%s", code, err, out, errs)
	}
	if len(list) != 1 || len(list[0].Feeds)+len(list[0].Sitemaps) == 0 || list[0].Collections[0] != "demo" {
		t.Fatalf("sources = %+v", list)
	}

	code, out, errs = run(t, append([]string{"sources", "check", "--data", dir, "1"}, net...)...)
	if code != 0 || !strings.Contains(out, "  ok    ") {
		t.Fatalf("sources check: exit %d\n%s%s", code, out, errs)
	}

	fetched := regexp.MustCompile(`(\d+) pages fetched`)
	code, out, errs = run(t, append([]string{"crawl", "--once", "--data", dir}, net...)...)
	m := fetched.FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] == "0" {
		t.Fatalf("crawl --once: exit %d\n%s%s", code, out, errs)
	}
	st, err := openStore(context.Background(), &App{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.Articles.CountArticles(context.Background())
	st.Close()
	if err != nil || n != want {
		t.Fatalf("%d articles stored, want the outlet's %d (%v)", n, want, err)
	}
	code, out, errs = run(t, append([]string{"crawl", "--once", "--data", dir}, net...)...)
	if m := fetched.FindStringSubmatch(out); code != 0 || m == nil || m[1] != "0" {
		t.Fatalf("second crawl --once fetched again: exit %d\n%s%s", code, out, errs)
	}

	code, out, _ = run(t, "sources", "list", "--data", dir)
	if code != 0 || !strings.Contains(out, outlet.Name) || !strings.Contains(out, " ok ") {
		t.Fatalf("sources list after the crawl:\n%s", out)
	}
	if code, out, errs = run(t, "sources", "remove", "--data", dir, "1"); code != 0 {
		t.Fatalf("sources remove: exit %d\n%s%s", code, out, errs)
	}
	if code, _, errs = run(t, "sources", "remove", "--data", dir, "1"); code != 1 || !strings.Contains(errs, "no source") {
		t.Fatalf("second sources remove: exit %d, %q", code, errs)
	}
}
