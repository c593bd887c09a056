package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func testFrontier(t *testing.T, b *Backend) {
	ctx := context.Background()
	f := b.Frontier
	// Sources 1, 2 and 9 (the IDs of a fresh store).
	for _, name := range []string{"Nguồn một", "Nguồn hai", "Nguồn ba", "Nguồn bốn", "Nguồn năm", "Nguồn sáu",
		"Nguồn bảy", "Nguồn tám", "Nguồn chín"} {
		if err := b.Sources.CreateSource(ctx, &diembao.Source{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Date(2020, 1, 10, 8, 0, 0, 0, time.UTC)
	items := []*diembao.FrontierItem{
		{SourceID: 1, URL: "https://a.example.vn/seed", Priority: diembao.PrioritySeed, DiscoveredAt: t0},
		{SourceID: 1, URL: "https://a.example.vn/feed-1", Priority: diembao.PriorityFeedItem, DiscoveredAt: t0.Add(time.Minute),
			Title: "Tin mới", Published: t0},
		{SourceID: 2, URL: "https://b.example.vn/feed-2", Priority: diembao.PriorityFeedItem, DiscoveredAt: t0.Add(2 * time.Minute)},
		{SourceID: 1, URL: "https://a.example.vn/sitemap.xml", Kind: diembao.FrontierSitemap, Priority: diembao.PrioritySitemap,
			DiscoveredAt: t0.Add(3 * time.Minute)},
		{SourceID: 2, URL: "https://b.example.vn/later", Priority: diembao.PriorityFeedItem, DiscoveredAt: t0,
			NotBefore: t0.Add(time.Hour)},
	}
	n, err := f.Enqueue(ctx, items)
	if err != nil || n != len(items) {
		t.Fatalf("Enqueue = %d, %v; want %d", n, err, len(items))
	}
	for _, it := range items {
		if it.ID == 0 {
			t.Fatalf("Enqueue left the ID of %s unset", it.URL)
		}
	}
	t.Run("known URLs", func(t *testing.T) {
		n, err := f.Enqueue(ctx, []*diembao.FrontierItem{
			{SourceID: 1, URL: "https://a.example.vn/seed", Priority: 999},
			{SourceID: 1, URL: "https://a.example.vn/new", Priority: diembao.PrioritySeed, DiscoveredAt: t0.Add(time.Hour),
				NotBefore: t0.Add(time.Hour)},
		})
		if err != nil || n != 1 {
			t.Fatalf("Enqueue of one known and one new URL = %d, %v; want 1", n, err)
		}
		got, err := f.FindFrontierItem(ctx, "https://a.example.vn/seed")
		if err != nil || got.Priority != diembao.PrioritySeed || got.SourceID != 1 || !got.DiscoveredAt.Equal(t0) ||
			!got.NotBefore.IsZero() || got.State != diembao.FrontierPending {
			t.Errorf("a known URL changed: %+v, %v", got, err)
		}
		_, err = f.FindFrontierItem(ctx, "https://a.example.vn/none")
		wantCode(t, "FindFrontierItem of an unknown URL", err, diembao.ENOTFOUND)
	})
	t.Run("lease order", func(t *testing.T) {
		got, err := f.Lease(ctx, diembao.LeaseRequest{Now: t0.Add(10 * time.Minute), Limit: 3, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"https://a.example.vn/feed-1", "https://b.example.vn/feed-2", "https://a.example.vn/sitemap.xml"}
		if urls := frontierURLs(got); fmt.Sprint(urls) != fmt.Sprint(want) {
			t.Fatalf("Lease order %q, want priority then enqueue order %q", urls, want)
		}
		for _, it := range got {
			if it.State != diembao.FrontierLeased || it.Attempts != 1 || !it.LeasedUntil.Equal(t0.Add(11*time.Minute)) {
				t.Errorf("leased item %+v", it)
			}
		}
		if got[0].Title != "Tin mới" || !got[0].Published.Equal(t0) {
			t.Errorf("feed metadata lost: %+v", got[0])
		}
		// The leased items are not handed out again while their lease runs.
		more, err := f.Lease(ctx, diembao.LeaseRequest{Now: t0.Add(10 * time.Minute), Limit: 10, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if urls := frontierURLs(more); fmt.Sprint(urls) != "[https://a.example.vn/seed]" {
			t.Errorf("second Lease %q, want only the seed (the rest is leased or not due)", urls)
		}
		// A lease that ran out makes the item due again.
		again, err := f.Lease(ctx, diembao.LeaseRequest{SourceID: 2, Now: t0.Add(2 * time.Hour), Limit: 10, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		// Both have the same priority; feed-2 was enqueued first.
		want = []string{"https://b.example.vn/feed-2", "https://b.example.vn/later"}
		if urls := frontierURLs(again); fmt.Sprint(urls) != fmt.Sprint(want) {
			t.Errorf("Lease of source 2 after the leases ran out %q, want %q", urls, want)
		}
		if len(again) == 2 && (again[0].Attempts != 2 || again[1].Attempts != 1) {
			t.Errorf("attempts %d and %d, want 2 and 1 (feed-2 leased twice)", again[0].Attempts, again[1].Attempts)
		}
	})
	t.Run("complete retry abandon", func(t *testing.T) {
		done := t0.Add(3 * time.Hour)
		if err := f.Complete(ctx, items[1].ID, done); err != nil {
			t.Fatal(err)
		}
		if err := f.Retry(ctx, items[2].ID, t0.Add(5*time.Hour+250*time.Millisecond), "HTTP 503"); err != nil {
			t.Fatal(err)
		}
		if err := f.Abandon(ctx, items[3].ID, "HTTP 404"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "Complete of an unknown ID", f.Complete(ctx, 1<<40, done), diembao.ENOTFOUND)
		got, err := f.FindFrontierItem(ctx, items[1].URL)
		if err != nil || got.State != diembao.FrontierDone || !got.DoneAt.Equal(done) {
			t.Errorf("completed item %+v, %v", got, err)
		}
		got, err = f.FindFrontierItem(ctx, items[2].URL)
		if err != nil || got.State != diembao.FrontierPending || got.LastError != "HTTP 503" ||
			!got.NotBefore.Equal(t0.Add(5*time.Hour+250*time.Millisecond)) {
			t.Errorf("retried item %+v, %v", got, err)
		}
		got, err = f.FindFrontierItem(ctx, items[3].URL)
		if err != nil || got.State != diembao.FrontierFailed || got.LastError != "HTTP 404" {
			t.Errorf("abandoned item %+v, %v", got, err)
		}
		early, err := f.Lease(ctx, diembao.LeaseRequest{SourceID: 2, Now: t0.Add(4 * time.Hour), Limit: 10, Duration: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if urls := frontierURLs(early); fmt.Sprint(urls) != "[https://b.example.vn/later]" {
			t.Errorf("Lease before the retry is due %q, want only the expired lease of /later", urls)
		}
		st, err := f.FrontierStats(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := (diembao.FrontierStats{Pending: 2, Leased: 2, Done: 1, Failed: 1}); st != want {
			t.Errorf("FrontierStats = %+v, want %+v", st, want)
		}
		st1, err := f.FrontierStats(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := (diembao.FrontierStats{Pending: 1, Leased: 1, Done: 1, Failed: 1}); st1 != want {
			t.Errorf("FrontierStats of source 1 = %+v, want %+v", st1, want)
		}
	})
	t.Run("activity", func(t *testing.T) {
		act, err := f.SourceActivity(ctx, 1, t0.Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		// Pages of source 1: seed (t0), feed-1 (t0+1m), new (t0+1h); the
		// sitemap is not a page.
		if act.Discovered != 2 || !act.First.Equal(t0) || !act.Last.Equal(t0.Add(time.Hour)) {
			t.Errorf("SourceActivity = %+v", act)
		}
	})
	t.Run("concurrent leases", func(t *testing.T) { testConcurrentLeases(t, f) })
}

// testConcurrentLeases has several workers lease from one frontier at once
// and requires every item to be handed out exactly once.
func testConcurrentLeases(t *testing.T, f diembao.FrontierService) {
	ctx := context.Background()
	const total, workers = 60, 6
	t0 := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []*diembao.FrontierItem
	for i := range total {
		batch = append(batch, &diembao.FrontierItem{SourceID: 9, URL: fmt.Sprintf("https://c.example.vn/%d", i),
			Priority: i % 3, DiscoveredAt: t0})
	}
	if _, err := f.Enqueue(ctx, batch); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
		errs = make(chan error, workers)
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := f.Lease(ctx, diembao.LeaseRequest{SourceID: 9, Now: t0.Add(time.Minute), Limit: 4, Duration: time.Hour})
				if err != nil {
					errs <- err
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, it := range got {
					seen[it.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent Lease: %v", err)
	}
	if len(seen) != total {
		t.Errorf("%d distinct items leased, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("item %d leased %d times", id, n)
		}
	}
}

func frontierURLs(items []*diembao.FrontierItem) []string {
	urls := make([]string, len(items))
	for i, it := range items {
		urls[i] = it.URL
	}
	return urls
}

func testFeedStates(t *testing.T, b *Backend) {
	ctx := context.Background()
	src := &diembao.Source{Name: "Báo Sông Hồng"}
	if err := b.Sources.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	u := "https://a.example.vn/rss/thoi-su.rss"
	_, err := b.Feeds.FindFeedState(ctx, u)
	wantCode(t, "FindFeedState of an unknown feed", err, diembao.ENOTFOUND)
	t0 := time.Date(2020, 1, 10, 8, 0, 0, 0, time.UTC)
	st := &diembao.FeedState{URL: u, SourceID: src.ID, ETag: `"abc"`, LastModified: "Fri, 10 Jan 2020 08:00:00 GMT",
		Interval: 15 * time.Minute, LastPoll: t0.Add(123 * time.Millisecond), NextPoll: t0.Add(15 * time.Minute), LastNew: t0, Failures: 0}
	if err := b.Feeds.SaveFeedState(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Failures, st.LastError, st.Interval = 2, "HTTP 500", 30*time.Minute
	if err := b.Feeds.SaveFeedState(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := b.Feeds.FindFeedState(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != st.URL || got.SourceID != st.SourceID || got.ETag != st.ETag || got.LastModified != st.LastModified ||
		got.Interval != st.Interval || !got.LastPoll.Equal(st.LastPoll) || !got.NextPoll.Equal(st.NextPoll) ||
		!got.LastNew.Equal(st.LastNew) || got.Failures != 2 || got.LastError != "HTTP 500" {
		t.Errorf("FindFeedState = %+v, want %+v", got, st)
	}
}
