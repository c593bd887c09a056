package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func openFrontier(t *testing.T) (*FrontierService, *DB, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	src := &diembao.Source{Name: "Báo Mẫu", Homepage: "https://baomau.vn/", Enabled: true}
	if err := NewSourceService(db).CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	return NewFrontierService(db), db, src.ID
}

func TestFrontierLifecycle(t *testing.T) {
	ctx := context.Background()
	f, _, sid := openFrontier(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	items := []*diembao.FrontierItem{
		{SourceID: sid, URL: "https://baomau.vn/a", Priority: diembao.PrioritySitemap, DiscoveredAt: t0},
		{SourceID: sid, URL: "https://baomau.vn/b", Priority: diembao.PriorityFeedItem, Title: "Tin B", Published: t0, DiscoveredAt: t0},
		{SourceID: sid, URL: "https://baomau.vn/c", Priority: diembao.PriorityFeedItem, NotBefore: t0.Add(time.Hour), DiscoveredAt: t0},
	}
	n, err := f.Enqueue(ctx, items)
	if err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}
	again := []*diembao.FrontierItem{{SourceID: sid, URL: "https://baomau.vn/a", Priority: 1000}}
	if n, err := f.Enqueue(ctx, again); err != nil || n != 0 || again[0].ID != 0 {
		t.Fatalf("Enqueue of a known URL = %d, %v, id %d", n, err, again[0].ID)
	}

	got, err := f.Lease(ctx, diembao.LeaseRequest{Now: t0, Limit: 10, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].URL != "https://baomau.vn/b" || got[1].URL != "https://baomau.vn/a" {
		t.Fatalf("Lease order = %v", frontierURLs(got))
	}
	if got[0].Title != "Tin B" || !got[0].Published.Equal(t0) || got[0].Attempts != 1 {
		t.Fatalf("leased item = %+v", got[0])
	}
	// Nothing more is due while the leases run.
	if more, _ := f.Lease(ctx, diembao.LeaseRequest{Now: t0.Add(30 * time.Second), Limit: 10, Duration: time.Minute}); len(more) != 0 {
		t.Fatalf("leased twice: %v", frontierURLs(more))
	}
	if err := f.Complete(ctx, got[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := f.Retry(ctx, got[1].ID, t0.Add(10*time.Second), "503"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Duration
		want []string
	}{
		{"retry not yet due", 5 * time.Second, nil},
		{"retry due", 11 * time.Second, []string{"https://baomau.vn/a"}},
		{"lease of a dead holder runs out", 2 * time.Minute, []string{"https://baomau.vn/a"}},
		{"not-before passed", time.Hour, []string{"https://baomau.vn/c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Lease(ctx, diembao.LeaseRequest{Now: t0.Add(tt.at), Limit: 1, Duration: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(frontierURLs(got)) != fmt.Sprint(tt.want) {
				t.Fatalf("Lease = %v, want %v", frontierURLs(got), tt.want)
			}
		})
	}
	it, err := f.FindFrontierItem(ctx, "https://baomau.vn/a")
	if err != nil || it.Attempts != 3 || it.LastError != "503" {
		t.Fatalf("item a = %+v, %v", it, err)
	}
	if err := f.Abandon(ctx, it.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	st, err := f.FrontierStats(ctx, sid)
	if err != nil || st != (diembao.FrontierStats{Leased: 1, Done: 1, Failed: 1}) {
		t.Fatalf("stats = %+v, %v", st, err)
	}
	if _, err := f.FindFrontierItem(ctx, "https://baomau.vn/zzz"); diembao.ErrorCode(err) != diembao.ENOTFOUND {
		t.Fatalf("missing item: %v", err)
	}
	act, err := f.SourceActivity(ctx, sid, t0.Add(-time.Hour))
	if err != nil || act.Discovered != 3 || !act.Last.Equal(t0) {
		t.Fatalf("activity = %+v, %v", act, err)
	}
}

func TestFrontierConcurrentLease(t *testing.T) {
	ctx := context.Background()
	f, _, sid := openFrontier(t)
	var items []*diembao.FrontierItem
	for i := range 200 {
		items = append(items, &diembao.FrontierItem{SourceID: sid, URL: fmt.Sprintf("https://baomau.vn/%d", i)})
	}
	if _, err := f.Enqueue(ctx, items); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := f.Lease(ctx, diembao.LeaseRequest{Now: time.Now(), Limit: 7, Duration: time.Hour})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, it := range got {
					seen[it.URL]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("leased %d distinct items, want 200", len(seen))
	}
	for u, n := range seen {
		if n != 1 {
			t.Fatalf("%s leased %d times", u, n)
		}
	}
}

func TestFeedState(t *testing.T) {
	ctx := context.Background()
	f, _, sid := openFrontier(t)
	if _, err := f.FindFeedState(ctx, "https://baomau.vn/rss"); diembao.ErrorCode(err) != diembao.ENOTFOUND {
		t.Fatalf("missing state: %v", err)
	}
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	st := &diembao.FeedState{URL: "https://baomau.vn/rss", SourceID: sid, ETag: `"abc"`, LastModified: "Sun, 01 Mar 2026 08:00:00 GMT",
		Interval: 15 * time.Minute, LastPoll: t0, NextPoll: t0.Add(15 * time.Minute), Failures: 2, LastError: "timeout"}
	for range 2 {
		if err := f.SaveFeedState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.FindFeedState(ctx, st.URL)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *st {
		t.Fatalf("state = %+v, want %+v", got, st)
	}
}

func frontierURLs(items []*diembao.FrontierItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}
