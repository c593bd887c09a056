package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/pairidx"
	"github.com/diembao/diembao/internal/seqlog"
)

// seqRows returns the stored token sequences by article ID.
func seqRows(t *testing.T, db *DB) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for id, seq := range storedSequences(t, db) {
		out[id] = string(seq)
	}
	return out
}

// stamps returns the sequence stamps of the main file and of the sequences
// file.
func stamps(t *testing.T, db *DB) [2]int64 {
	t.Helper()
	var s [2]int64
	if err := db.db.QueryRowContext(context.Background(), `SELECT (SELECT n FROM main.sequence_stamp), (SELECT n FROM seq.sequence_stamp)`).Scan(&s[0], &s[1]); err != nil {
		t.Fatal(err)
	}
	return s
}

// fixturePhrases returns phrases of three words from the fixture articles'
// first paragraphs, quoted for a query.
func fixturePhrases(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, a := range fixtureArticles(t) {
		if len(a.Body) == 0 {
			continue
		}
		if w := strings.Fields(a.Body[0].Text); len(w) >= 3 {
			out = append(out, `"`+strings.Join(w[:3], " ")+`"`)
		}
	}
	return out
}

// phraseHits returns the URLs each phrase finds.
func phraseHits(t *testing.T, db *DB, phrases []string) [][]string {
	t.Helper()
	svc := NewSearchService(db)
	var out [][]string
	for _, q := range phrases {
		res, err := svc.Search(context.Background(), diembao.SearchRequest{Query: q, Limit: 100})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, hitURLs(res))
	}
	return out
}

// TestSequencesFile checks that the token sequences live in the file of
// their own, one row per stored article, and that each write of sequences
// adds one to the stamps of both files.
func TestSequencesFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := os.Stat(SequencesPath(filepath.Join(dir, FileName))); err != nil {
		t.Fatalf("no sequences file: %v", err)
	}
	var inMain int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM main.sqlite_schema WHERE name = 'article_tokens'`).Scan(&inMain); err != nil {
		t.Fatal(err)
	}
	if inMain != 0 {
		t.Error("the main file still has article_tokens")
	}
	var tables int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_list WHERE name = 'article_tokens'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("%d tables article_tokens (%v): the sequences are kept in the data file", tables, err)
	}
	before := stamps(t, db)
	if before[0] != before[1] {
		t.Fatalf("stamps %v differ on a new database", before)
	}
	list := fixtureArticles(t)
	svc := NewArticleService(db)
	for i, a := range list[:3] {
		if _, err := svc.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got := stamps(t, db); got != [2]int64{before[0] + int64(i) + 1, before[1] + int64(i) + 1} {
			t.Fatalf("after %d writes, stamps %v (from %v)", i+1, got, before)
		}
	}
	if _, err := svc.PutArticles(ctx, list[3:]); err != nil {
		t.Fatal(err)
	}
	var articles int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles); err != nil {
		t.Fatal(err)
	}
	if n := len(seqRows(t, db)); n != articles || n != len(list) {
		t.Errorf("%d sequences for %d articles (%d written)", n, articles, len(list))
	}
	// The data file holds the records the offsets point at, and its
	// size is recorded.
	var size int64
	if err := db.db.QueryRowContext(ctx, `SELECT size FROM seq.sequence_log`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(SequencesDataPath(filepath.Join(dir, FileName))); err != nil || fi.Size() != size || size <= int64(seqlog.HeaderSize) {
		t.Errorf("data file: %v, %v; recorded size %d", fi, err, size)
	}
}

// TestSequencesRebuilt checks that opening a database whose sequences file
// is missing, or out of step with it (a crash between the commits of the
// two files), rebuilds the sequences as the writer wrote them, and that
// phrases then find what they found before.
func TestSequencesRebuilt(t *testing.T) {
	ctx := context.Background()
	phrases := fixturePhrases(t)
	tests := []struct {
		name string
		// damage changes the open database db of directory dir; it
		// may close db.
		damage func(t *testing.T, db *DB, dir string)
	}{
		{"file removed", func(t *testing.T, db *DB, dir string) {
			db.Close()
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(SequencesPath(filepath.Join(dir, FileName)) + suffix); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		}},
		{"sequences behind", func(t *testing.T, db *DB, dir string) {
			exec(t, db, `UPDATE main.sequence_stamp SET n = n + 1`,
				`UPDATE seq.sequence_chunks SET locs = zeroblob(8) WHERE chunk = 0`)
		}},
		{"data file removed", func(t *testing.T, db *DB, dir string) {
			db.Close()
			if err := os.Remove(SequencesDataPath(filepath.Join(dir, FileName))); err != nil {
				t.Fatal(err)
			}
		}},
		{"data file cut short", func(t *testing.T, db *DB, dir string) {
			db.Close()
			if err := os.Truncate(SequencesDataPath(filepath.Join(dir, FileName)), int64(seqlog.HeaderSize)+10); err != nil {
				t.Fatal(err)
			}
		}},
		{"data file not one", func(t *testing.T, db *DB, dir string) {
			db.Close()
			if err := os.WriteFile(SequencesDataPath(filepath.Join(dir, FileName)), []byte(strings.Repeat("không phải ", 100)), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"data file of another database", func(t *testing.T, db *DB, dir string) {
			other := t.TempDir()
			odb, err := OpenDir(ctx, other, nil)
			if err != nil {
				t.Fatal(err)
			}
			loadFixtures(t, odb)
			odb.Close()
			db.Close()
			buf, err := os.ReadFile(SequencesDataPath(filepath.Join(other, FileName)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(SequencesDataPath(filepath.Join(dir, FileName)), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"sequences of another database", func(t *testing.T, db *DB, dir string) {
			// The same number of writes (stamps equal), in another
			// order: other IDs and token numbers.
			other := t.TempDir()
			odb, err := OpenDir(ctx, other, nil)
			if err != nil {
				t.Fatal(err)
			}
			svc := NewArticleService(odb)
			list := fixtureArticles(t)
			slices.Reverse(list)
			for _, a := range list {
				if _, err := svc.PutArticle(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			if a, b := stamps(t, odb), stamps(t, db); a[0] != b[0] {
				t.Fatalf("stamps %v and %v: the case needs equal counts", a, b)
			}
			odb.Close()
			db.Close()
			buf, err := os.ReadFile(SequencesPath(filepath.Join(other, FileName)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(SequencesPath(filepath.Join(dir, FileName)), buf, 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"sequences ahead", func(t *testing.T, db *DB, dir string) {
			exec(t, db, `UPDATE seq.sequence_stamp SET n = n + 2`,
				`INSERT INTO seq.sequence_chunks (chunk, gen, locs) VALUES (1000, 1, zeroblob(64))`,
				`UPDATE seq.sequence_chunks SET locs = zeroblob(8) WHERE chunk = 0`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := OpenDir(ctx, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { db.Close() }()
			loadFixtures(t, db)
			want, wantHits := seqRows(t, db), phraseHits(t, db, phrases)
			if !slices.ContainsFunc(wantHits, func(h []string) bool { return len(h) > 0 }) {
				t.Fatal("no phrase finds anything")
			}
			tt.damage(t, db, dir)
			db.Close()
			if db, err = OpenDir(ctx, dir, nil); err != nil {
				t.Fatal(err)
			}
			got := seqRows(t, db)
			if len(got) != len(want) {
				t.Errorf("%d sequences after the rebuild, %d before", len(got), len(want))
			}
			for id, seq := range want {
				if got[id] != seq {
					t.Errorf("article %d: sequence %x after the rebuild, %x before", id, got[id], seq)
				}
			}
			if s := stamps(t, db); s[0] != s[1] {
				t.Errorf("stamps %v after the rebuild", s)
			}
			if gotHits := phraseHits(t, db, phrases); !slices.EqualFunc(gotHits, wantHits, slices.Equal) {
				t.Errorf("phrases found %v after the rebuild, %v before", gotHits, wantHits)
			}
		})
	}
}

// TestReadStampsDiffer checks that a search whose snapshots of the two
// files differ fails with an error instead of checking phrases in the
// sequences of another commit.
func TestReadStampsDiffer(t *testing.T) {
	db := openTest(t)
	loadFixtures(t, db)
	phrases := fixturePhrases(t)[:1]
	phraseHits(t, db, phrases)
	exec(t, db, `UPDATE seq.sequence_stamp SET n = n + 1`)
	_, err := NewSearchService(db).Search(context.Background(), diembao.SearchRequest{Query: phrases[0]})
	if err == nil || !strings.Contains(err.Error(), "sequences file does not match") {
		t.Fatalf("search with stamps that differ: %v", err)
	}
	exec(t, db, `UPDATE seq.sequence_stamp SET n = n - 1`)
	phraseHits(t, db, phrases)
}

// TestDSNPath checks that the file name of a data source name Open builds
// is found again, escapes included.
func TestDSNPath(t *testing.T) {
	for _, tt := range []struct {
		dsn, want string
		ok        bool
	}{
		{"file:/data/diembao.db?_pragma=x", "/data/diembao.db", true},
		{"file:/d%C3%A2y/b%E1%BA%A3n%20tin.db?a=b", "/dây/bản tin.db", true},
		{"file:rel/x.db", "rel/x.db", true},
		{"/data/diembao.db", "", false},
		{"file:?a=b", "", false},
		{"file:%zz", "", false},
	} {
		got, ok := dsnPath(tt.dsn)
		if got != tt.want || ok != tt.ok {
			t.Errorf("dsnPath(%q) = %q, %v; want %q, %v", tt.dsn, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSequencesShrunk checks that opening a database whose sequences file
// is mostly free pages (those migration 0011 left) gives them back, and
// that a file with few free pages is left alone.
func TestSequencesShrunk(t *testing.T) {
	ctx := context.Background()
	defer func(n int64) { shrinkPages = n }(shrinkPages)
	shrinkPages = 64
	dir := t.TempDir()
	path := SequencesPath(filepath.Join(dir, FileName))
	db, err := OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	loadFixtures(t, db)
	size := func() int64 {
		t.Helper()
		var pages int64
		if err := db.db.QueryRowContext(ctx, `PRAGMA seq.page_count`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		return pages
	}
	small := size()
	exec(t, db, `CREATE TABLE seq.filler (b BLOB)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) INSERT INTO seq.filler SELECT randomblob(4000) FROM n`,
		`DROP TABLE seq.filler`)
	big := size()
	if big < small+400 {
		t.Fatalf("%d pages with the filler dropped, %d before", big, small)
	}
	want := seqRows(t, db)
	db.Close()
	if db, err = OpenDir(ctx, dir, nil); err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	if got := size(); got > small+8 {
		t.Errorf("%d pages after opening, %d before the filler", got, small)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > (small+8)*4096 {
		t.Errorf("file: %v, %v", fi, err)
	}
	if got := seqRows(t, db); len(got) != len(want) || len(got) == 0 {
		t.Errorf("%d sequences after shrinking, %d before", len(got), len(want))
	}
	// Few free pages: left.
	exec(t, db, `CREATE TABLE seq.filler (b BLOB)`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) INSERT INTO seq.filler SELECT randomblob(4000) FROM n`,
		`DROP TABLE seq.filler`)
	before := size()
	db.Close()
	if db, err = OpenDir(ctx, dir, nil); err != nil {
		t.Fatal(err)
	}
	if got := size(); got != before {
		t.Errorf("%d pages after opening, %d before: a few free pages were given back", got, before)
	}
}

// TestSequencesHeldPastClose checks that a data file a search holds stays
// readable when the store closes, and is closed by the last release.
func TestSequencesHeldPastClose(t *testing.T) {
	ctx := context.Background()
	db, err := OpenDir(ctx, t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	loadFixtures(t, db)
	tx, err := db.beginRead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l, err := db.seqs.acquire(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	var (
		chunk int64
		locs  []byte
	)
	if err := tx.QueryRow(`SELECT chunk, locs FROM sequence_chunks ORDER BY chunk LIMIT 1`).Scan(&chunk, &locs); err != nil {
		t.Fatal(err)
	}
	id := chunk << pairidx.ChunkBits
	for locOf(locs, id) == 0 {
		id++
	}
	tx.Rollback()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	var buf []byte
	if seq, err := l.Read(locOf(locs, id), id, &buf); err != nil || len(seq) == 0 {
		t.Fatalf("held file after the store closed: %d bytes, %v", len(seq), err)
	}
	db.seqs.release(l)
	if _, err := l.Read(locOf(locs, id), id, &buf); err == nil {
		t.Error("the file is still open after its last release")
	}
}

// TestSequenceOffsetsKept checks that a search reuses the offsets of a
// chunk read before only while no write changed them: an article
// replaced in a chunk already read is checked in its new sequence.
func TestSequenceOffsetsKept(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	loadFixtures(t, db)
	svc, arts := NewSearchService(db), NewArticleService(db)
	a := &diembao.Article{URL: "https://bao-mau.example/thay-the.html", SourceName: "Báo Mẫu",
		Title: "Tin đê điều", Body: []diembao.Paragraph{{Text: "Mực nước sông Hồng dâng cao chiều nay."}}}
	if _, err := arts.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	found := func(q string) bool {
		t.Helper()
		res, err := svc.Search(ctx, diembao.SearchRequest{Query: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(hitURLs(res), a.URL)
	}
	if !found(`"sông hồng dâng"`) || found(`"giá lúa tăng"`) {
		t.Fatal("the first text is not found as written")
	}
	if n := len(db.seqs.cache); n == 0 {
		t.Fatal("no offsets kept after a phrase search")
	}
	a.Body, a.ContentHash = []diembao.Paragraph{{Text: "Giá lúa tăng mạnh ở đồng bằng."}}, ""
	if r, err := arts.PutArticle(ctx, a); err != nil || !r.Updated {
		t.Fatalf("replace: %+v, %v", r, err)
	}
	if found(`"sông hồng dâng"`) || !found(`"giá lúa tăng"`) {
		t.Error("the replaced article is checked in its old sequence")
	}
}
