package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/testutil"
	"github.com/diembao/diembao/sqlite"
)

// run runs the binary's Main with args and returns its exit code and
// output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// seedTitle is the headline of the demo page built on the seed article.
const seedTitle = "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020"

// buildDemo builds the demo archive once per test binary run.
func buildDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "--once", "--data", dir)
	if code != 0 {
		t.Fatalf("demo --once: exit %d\n%s%s", code, out, errs)
	}
	m := regexp.MustCompile(`(\d+) articles indexed`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("demo --once printed no count: %q", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 30 {
		t.Fatalf("demo indexed %d articles, want at least 30", n)
	}
	return dir
}

func TestDemoSearchFindsSeedArticle(t *testing.T) {
	dir := buildDemo(t)
	sapoStart := "Chiều 10/1, Ban Chỉ đạo bảo vệ nền tảng tư tưởng của Đảng"
	if b, err := os.ReadFile("../../../shared/fixtures/seed/expected.json"); err == nil {
		var exp struct {
			Title      string `json:"title"`
			SapoStarts string `json:"sapo_starts"`
		}
		if err := json.Unmarshal(b, &exp); err != nil {
			t.Fatal(err)
		}
		if exp.Title != seedTitle || exp.SapoStarts != sapoStart {
			t.Fatalf("the seed's expectations changed: %q / %q", exp.Title, exp.SapoStarts)
		}
	}
	for _, q := range []string{"ban chi dao 35", "Ban Chỉ đạo 35", `"nền tảng tư tưởng"`, "nen tang tu tuong", "pham sy loi", "HĐND", "Hội đồng nhân dân"} {
		t.Run(q, func(t *testing.T) {
			code, out, errs := run(t, "search", "--data", dir, "--json", q)
			if code != 0 {
				t.Fatalf("search: exit %d: %s", code, errs)
			}
			var res diembao.SearchResult
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("search --json output: %v\n%s", err, out)
			}
			if res.Total == 0 || len(res.Hits) == 0 {
				t.Fatalf("no results for %q", q)
			}
			if q == "ban chi dao 35" || q == "Ban Chỉ đạo 35" {
				if res.Hits[0].Title != seedTitle {
					t.Fatalf("first result %q, want %q", res.Hits[0].Title, seedTitle)
				}
			}
			found := false
			for _, h := range res.Hits {
				found = found || h.Title == seedTitle
			}
			if !found {
				t.Fatalf("%q does not find the seed-structured article", q)
			}
		})
	}

	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := sqlite.NewArticleService(db).FindArticles(ctx, diembao.ArticleFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var seed *diembao.Article
	for _, a := range list {
		if a.Title == seedTitle {
			seed = a
		}
	}
	if seed == nil {
		t.Fatal("seed-structured article not stored")
	}
	text := seed.Text()
	if n := strings.Count(text, sapoStart); n != 1 {
		t.Errorf("lead appears %d times in the clean text, want once", n)
	}
	for _, bad := range []string{"Các tin khác", "Nguồn Báo Hà Nam", "Thứ 2 Ngày 13/01/2020"} {
		if strings.Contains(text, bad) {
			t.Errorf("clean text holds %q", bad)
		}
	}
	if seed.Attribution == nil || seed.Attribution.Outlet != "Báo Hà Nam" {
		t.Errorf("attribution = %v, want Báo Hà Nam", seed.Attribution)
	}
	if len(seed.Captions) == 0 {
		t.Error("caption not kept apart")
	}
	if got := seed.Published.Format("2006-01-02"); got != "2020-01-10" {
		t.Errorf("published %s, want 2020-01-10 (the dateline, not the page header date)", got)
	}
}

func TestDemoTwiceStoresOnce(t *testing.T) {
	dir := buildDemo(t)
	code, out, errs := run(t, "demo", "--once", "--data", dir)
	if code != 0 {
		t.Fatalf("second demo --once: exit %d\n%s%s", code, out, errs)
	}
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := sqlite.NewArticleService(db).FindArticles(ctx, diembao.ArticleFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range list {
		if seen[a.Title+"\x00"+a.SourceName] {
			t.Errorf("stored twice: %q (%s)", a.Title, a.SourceName)
		}
		seen[a.Title+"\x00"+a.SourceName] = true
	}
}

func TestImportBadInput(t *testing.T) {
	in := t.TempDir()
	good := `<html><head><meta charset="utf-8"><title>Tin thử</title></head><body><article><h1>Xã Tân Phú khánh thành cầu mới</h1>
<p>Sáng 5/3, xã Tân Phú tổ chức lễ khánh thành cây cầu bê tông nối hai thôn bên sông.</p>
<p>Cây cầu dài 40 mét, rộng 4 mét, do người dân và chính quyền cùng góp vốn xây dựng trong sáu tháng.</p></article></body></html>`
	files := map[string][]byte{
		"good.html":      []byte(good),
		"empty.html":     nil,
		"binary.html":    append([]byte{0x89, 'P', 'N', 'G', 0, 0, 0, 13}, bytes.Repeat([]byte{0, 1, 2, 3}, 100)...),
		"huge.html":      append([]byte("<html><body><p>"), bytes.Repeat([]byte("a "), 25<<20)...),
		"truncated.warc": []byte("WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 5000\r\n\r\nHTTP/1.1 200 OK\r\n"),
		"bad.jsonl":      []byte("{\"url\":\"https://example.vn/x\",\"title\":\"Tin \xff\xfe\",\"text\":\"a\"}\n"),
		"ok.jsonl":       []byte(`{"url":"https://example.vn/tin-1","title":"Mưa lớn ở miền Trung","text":"Mưa lớn kéo dài ba ngày.\nNhiều tuyến đường bị ngập.","published":"2024-10-02","source":"Báo Mẫu"}` + "\n"),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(in, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	code, out, errs := run(t, "import", "--data", data, in)
	if code != 1 {
		t.Fatalf("import exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, name := range []string{"empty.html", "binary.html", "huge.html", "truncated.warc", "bad.jsonl"} {
		lines := 0
		for _, l := range strings.Split(errs, "\n") {
			if strings.Contains(l, name) {
				lines++
			}
		}
		if lines != 1 {
			t.Errorf("%s: %d error lines, want one\n%s", name, lines, errs)
		}
	}
	if !strings.Contains(out, "2 new articles") || !strings.Contains(out, "5 files failed") {
		t.Errorf("summary %q", out)
	}
	// The same files again: nothing new.
	_, out, _ = run(t, "import", "--data", data, filepath.Join(in, "good.html"), filepath.Join(in, "ok.jsonl"))
	if !strings.Contains(out, "0 new articles") || !strings.Contains(out, "2 unchanged") {
		t.Errorf("re-import summary %q", out)
	}
}

func TestBadDataDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, sqlite.FileName), bytes.Repeat([]byte("not a database "), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	asFile := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(asFile, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"corrupt": dir, "file": asFile} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := run(t, "search", "--data", data, "hà nội")
			if code == 0 {
				t.Fatal("search on a bad data directory succeeded")
			}
			if !strings.HasPrefix(errs, "diembao: ") || strings.Count(strings.TrimSpace(errs), "\n") != 0 || strings.Contains(errs, "panic") {
				t.Fatalf("want one clear line, got %q", errs)
			}
		})
	}
}

func TestServeRefusesRemoteWithoutFlag(t *testing.T) {
	code, _, errs := run(t, "serve", "--data", t.TempDir(), "--addr", "0.0.0.0:0", "--no-crawl")
	if code == 0 || !strings.Contains(errs, "--allow-remote") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		":8080": false, "0.0.0.0:8080": false, "192.168.1.2:80": false, "example.com:80": false, "bad": false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestDemoOnPostgres runs the demo pipeline in server mode and searches the
// PostgreSQL store without diacritics.
func TestDemoOnPostgres(t *testing.T) {
	dsn := testutil.PostgresDSN(t)
	dir := t.TempDir()
	code, out, errs := run(t, "demo", "--once", "--data", dir, "--postgres", dsn)
	if code != 0 || !strings.Contains(out, "indexed in PostgreSQL") {
		t.Fatalf("demo on PostgreSQL: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, "search", "--postgres", dsn, "--json", "ban chi dao 35")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}
	var res diembao.SearchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Title != seedTitle {
		t.Fatalf("results %+v, want %q first", res.Hits, seedTitle)
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.FileName)); err == nil {
		t.Error("server mode created an SQLite database")
	}
}

// TestReextract runs the extractor again over the demo's WARC files: no
// network is needed (the demo site is gone by then), every archived article
// page is read again, and nothing is stored twice.
func TestReextract(t *testing.T) {
	dir := buildDemo(t)
	code, out, errs := run(t, "reextract", "--data", dir)
	if code != 0 {
		t.Fatalf("reextract: exit %d\n%s%s", code, out, errs)
	}
	m := regexp.MustCompile(`(\d+) new articles, (\d+) updated, (\d+) unchanged`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("reextract summary %q", out)
	}
	if m[1] != "0" {
		t.Errorf("reextract stored %s new articles, want 0", m[1])
	}
	if n, _ := strconv.Atoi(m[3]); n < 30 {
		t.Errorf("reextract found %d unchanged articles in the archive, want every demo article (≥ 30)", n)
	}
}
