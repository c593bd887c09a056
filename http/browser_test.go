package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/diembao/diembao/internal/browsertest"
)

// TestBrowserSearchWithoutDiacritics opens the web interface over the
// embedded store in Chromium, types a query without diacritics into the
// search box, submits it and expects the accented article first, with its
// matches highlighted; then it opens the article.
func TestBrowserSearchWithoutDiacritics(t *testing.T) {
	// The bad query page is answered with status 400 on purpose.
	ctx := browsertest.Context(t, "status of 400")
	ts := httptest.NewServer(newStoreServer(t))
	defer ts.Close()

	const title = "Ban Chỉ đạo 35 tỉnh triển khai nhiệm vụ công tác năm 2020"
	err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("q")))
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "home")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("q"), "ban chi dao 35"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS("ol.hits li.hit")),
	)
	if err != nil {
		t.Fatal(err)
	}
	first := text(t, ctx, "ol.hits li.hit:first-child .hit-title")
	if strings.TrimSpace(first) != title {
		t.Errorf("first result %q, want %q", first, title)
	}
	if count := text(t, ctx, ".results-count"); !strings.Contains(count, "Tìm thấy") {
		t.Errorf("result count %q", count)
	}
	nmarks, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.hits li.hit:first-child .snippet mark").length`))
	if err != nil {
		t.Fatal(err)
	}
	if nmarks == 0 {
		t.Errorf("no highlighted match in the snippet %q", text(t, ctx, "ol.hits li.hit:first-child .snippet"))
	}
	browsertest.Screenshot(t, ctx, "search")

	// Changing the sort order searches again (the one script of the UI).
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const sel = document.getElementById("sort");
		sel.value = "newest";
		sel.dispatchEvent(new Event("change"));
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if !waitLocation(ctx, "sort=newest") {
		t.Error("changing the sort order did not search again")
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || strings.Contains(loc, "since=") {
		t.Errorf("empty date fields were sent: %s (%v)", loc, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("ol.hits li.hit"))); err != nil {
		t.Fatal(err)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("ol.hits li.hit:first-child .hit-title a")),
		chromedp.WaitVisible(chromedp.ID("tieu-de")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading := text(t, ctx, "#tieu-de"); strings.TrimSpace(heading) != title {
		t.Errorf("article heading %q", heading)
	}
	facts := text(t, ctx, ".facts")
	for _, w := range []string{"Thời gian lấy về", "Thời gian đăng", "Nguồn"} {
		if !strings.Contains(facts, w) {
			t.Errorf("article facts lack %q: %q", w, facts)
		}
	}
	browsertest.Screenshot(t, ctx, "article")

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/sources"), chromedp.WaitVisible(chromedp.CSS("table.sources"))); err != nil {
		t.Fatal(err)
	}
	if status := text(t, ctx, "table.sources tbody"); !strings.Contains(status, "Đang lỗi") || !strings.Contains(status, "Bình thường") {
		t.Errorf("sources table: %q", status)
	}
	browsertest.Screenshot(t, ctx, "sources")

	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(ts.URL+"/?q=%22ban+chi%22+("),
		chromedp.WaitVisible(chromedp.CSS(".alert")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if alert := text(t, ctx, ".alert"); !strings.Contains(alert, "Truy vấn chưa hợp lệ") {
		t.Errorf("bad query alert: %q", alert)
	}
	browsertest.Screenshot(t, ctx, "error-mobile")
	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/?q=ban+chi+dao+35"),
		chromedp.WaitVisible(chromedp.CSS("ol.hits li.hit")),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "search-mobile")
}

// waitLocation waits up to ten seconds for the tab's address to contain
// part, and reports whether it did.
func waitLocation(ctx context.Context, part string) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil && strings.Contains(loc, part) {
			return true
		}
	}
	return false
}

// text returns the visible text of the first element css selects.
func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return s
}
