package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	diembaohttp "github.com/diembao/diembao/http"
	"github.com/diembao/diembao/internal/browsertest"
)

// TestBrowserDemo builds the demo archive, serves its web UI, and searches it
// from headless Chromium without diacritics, as a user who types on a
// keyboard without Vietnamese input would.
func TestBrowserDemo(t *testing.T) {
	ctx := browsertest.Context(t)
	dir := buildDemo(t)
	app := &App{DataDir: dir}
	st, err := openStore(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := diembaohttp.NewServer(diembaohttp.Config{Search: st.Search, Articles: st.Articles, Sources: st.Sources})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	err = chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), "ban chi dao 35"),
		chromedp.Submit(chromedp.ID("q")),
		chromedp.WaitVisible(chromedp.CSS("ol.hits li.hit")),
	)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "demo-search")
	titles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("ol.hits li.hit .hit-title")).map(e => e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(titles) == 0 || titles[0] != seedTitle {
		t.Fatalf("results %q, want %q first", titles, seedTitle)
	}

	// The article page shows the clean text, with the lead once and no
	// related-news box.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("ol.hits li.hit:first-child .hit-title a")),
		chromedp.WaitVisible(chromedp.ID("tieu-de")),
	)
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(body, "Chiều 10/1, Ban Chỉ đạo bảo vệ nền tảng tư tưởng của Đảng"); n != 1 {
		t.Errorf("the lead appears %d times on the article page", n)
	}
	if strings.Contains(body, "Các tin khác") {
		t.Error("the article page shows the related-news box")
	}
	browsertest.Screenshot(t, ctx, "demo-article")
}
