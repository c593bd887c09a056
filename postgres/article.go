package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// deadlockAttempts is how many times PutArticles runs a write that
// PostgreSQL ended to break a deadlock.
const deadlockAttempts = 8

// ArticleService implements diembao.ArticleService on PostgreSQL.
type ArticleService struct {
	db       *DB
	analyzer *query.Analyzer
}

var _ diembao.ArticleService = (*ArticleService)(nil)

// NewArticleService returns an ArticleService using db and the default
// analysis of package query.
func NewArticleService(db *DB) *ArticleService {
	return &ArticleService{db: db, analyzer: query.DefaultAnalyzer()}
}

// PutArticle stores a and its index entry in one transaction and sets a.ID
// (and a.ContentHash when it was empty). Storing the same canonical URL
// with the same content hash again changes nothing; the same URL with other
// content replaces the stored article and its index entry.
func (s *ArticleService) PutArticle(ctx context.Context, a *diembao.Article) (diembao.PutResult, error) {
	res, err := s.PutArticles(ctx, []*diembao.Article{a})
	if err != nil {
		return diembao.PutResult{}, err
	}
	return res[0], nil
}

// PutArticles stores several articles as PutArticle does, in one
// transaction for all of them, which is much faster for bulk imports.
// Either every article is stored or, on error, none is.
func (s *ArticleService) PutArticles(ctx context.Context, list []*diembao.Article) ([]diembao.PutResult, error) {
	docs := make([]query.Document, len(list))
	for i, a := range list {
		if err := query.ValidateArticle(a); err != nil {
			return nil, err
		}
		if a.ContentHash == "" {
			a.ContentHash = query.ContentHash(a)
		}
		docs[i] = s.analyzer.Document(a)
	}
	var (
		results []diembao.PutResult
		err     error
	)
	// Two writers storing the same new URL at once both find it missing;
	// the second insert fails on the unique URL and its transaction rolls
	// back. Run again, it finds the article the first one stored.
	for attempt := 1; ; attempt++ {
		results, err = s.putAll(ctx, list, docs)
		if c, ok := uniqueViolation(err); ok && c == "articles_url_key" && attempt < 3 {
			continue
		}
		// Two writers replacing each other's articles, or sharing a shard,
		// can lock rows of token_freqs and token_positions in a cycle;
		// PostgreSQL ends one of them. It runs again after a short random
		// pause, so that the two do not meet again at once.
		if isDeadlock(err) && attempt < deadlockAttempts {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(1+rand.IntN(10*attempt)) * time.Millisecond):
			}
			continue
		}
		break
	}
	if err != nil {
		var de *diembao.Error
		if errors.As(err, &de) {
			return nil, err
		}
		return nil, fmt.Errorf("postgres: put articles: %w", err)
	}
	return results, nil
}

// putAll stores the analysed articles of list in one transaction.
func (s *ArticleService) putAll(ctx context.Context, list []*diembao.Article, docs []query.Document) ([]diembao.PutResult, error) {
	results := make([]diembao.PutResult, len(list))
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var delta statsDelta
		// Chunks of distinct URLs go to the server in one round trip each;
		// a URL repeated in the list starts a new chunk, so that it sees
		// what its first occurrence stored.
		start, seen := 0, map[string]bool{}
		for i := 0; i <= len(list); i++ {
			if i < len(list) && !seen[list[i].URL] {
				seen[list[i].URL] = true
				continue
			}
			if err := s.putChunk(ctx, tx, list[start:i], docs[start:i], results[start:i], &delta); err != nil {
				return err
			}
			if i < len(list) {
				start, seen = i, map[string]bool{list[i].URL: true}
			}
		}
		return delta.apply(ctx, tx)
	})
	return results, err
}

// stored is what putChunk needs to know of an article already stored.
type stored struct {
	id      int64
	hash    string
	ntokens int64
}

// putChunk stores articles of distinct URLs: one statement finds those
// already stored, one batch writes the new and the changed ones.
func (s *ArticleService) putChunk(ctx context.Context, tx pgx.Tx, list []*diembao.Article, docs []query.Document,
	results []diembao.PutResult, delta *statsDelta) error {
	if len(list) == 0 {
		return nil
	}
	urls := make([]string, len(list))
	for i, a := range list {
		urls[i] = a.URL
	}
	rows, err := tx.Query(ctx, `SELECT url, id, content_hash, ntokens FROM articles WHERE url = ANY($1::text[]) FOR UPDATE`, urls)
	if err != nil {
		return err
	}
	known := map[string]stored{}
	for rows.Next() {
		var (
			u  string
			st stored
		)
		if err := rows.Scan(&u, &st.id, &st.hash, &st.ntokens); err != nil {
			rows.Close()
			return err
		}
		known[u] = st
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	now := s.db.Now().UTC().Truncate(time.Second)
	batch := &pgx.Batch{}
	var (
		queued  []int
		freqs   freqChanges
		entries = make([]indexEntry, len(list))
	)
	for i, a := range list {
		old, exists := known[a.URL]
		if exists && old.hash == a.ContentHash {
			a.ID = old.id
			results[i] = diembao.PutResult{ID: old.id}
			continue
		}
		if err := s.resolveSource(ctx, tx, a, &docs[i]); err != nil {
			return err
		}
		entry := buildEntry(&docs[i])
		args, err := articleArgs(a)
		if err != nil {
			return err
		}
		args = append(args, entry.tsv, entry.ntokens, now)
		delta.addTerms(entry.tokens, 1)
		if exists {
			// The index entry being replaced no longer counts.
			var oldTSV string
			if err := tx.QueryRow(ctx, `SELECT tsv::text FROM article_index WHERE id = $1`, old.id).Scan(&oldTSV); err != nil {
				return fmt.Errorf("postgres: index entry of article %d: %w", old.id, err)
			}
			oldEntry := parseTsvector(oldTSV)
			delta.addTerms(oldEntry.tokens(), -1)
			freqs.removeArticle(old.id, slices.Collect(maps.Keys(tokenCounts(oldEntry))))
			freqs.addArticle(old.id, entry.counts, entry.positions)
			batch.Queue(updateArticle, append(args, old.id)...)
			delta.tokens += int64(entry.ntokens) - old.ntokens
			results[i] = diembao.PutResult{ID: old.id, Updated: true}
			a.ID = old.id
		} else {
			batch.Queue(insertArticle, args...)
			delta.docs++
			delta.tokens += int64(entry.ntokens)
			results[i] = diembao.PutResult{Created: true}
			entries[i] = entry
		}
		queued = append(queued, i)
	}
	if len(queued) == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, batch)
	for _, i := range queued {
		a := list[i]
		if !results[i].Created {
			if _, err := br.Exec(); err != nil {
				br.Close()
				return fmt.Errorf("postgres: update article %s: %w", a.URL, err)
			}
			continue
		}
		var id int64
		if err := br.QueryRow().Scan(&id); err != nil {
			br.Close()
			return fmt.Errorf("postgres: insert article %s: %w", a.URL, err)
		}
		a.ID = id
		results[i].ID = id
		freqs.addArticle(id, entries[i].counts, entries[i].positions)
	}
	if err := br.Close(); err != nil {
		return err
	}
	// Written now, not with the statistics at the end of the transaction:
	// an article stored again later in the same call must find its
	// entries where this one put them.
	return freqs.apply(ctx, tx)
}

// insertArticle and updateArticle write an article and its index row in
// one statement: the columns of articleWriteColumns, then the tsvector
// text, the token count and the time (and, for updates, the ID).
var insertArticle, updateArticle = func() (string, string) {
	cols := strings.Split(articleWriteColumns, ",")
	n := len(cols)
	marks := make([]string, n)
	sets := make([]string, n)
	for i, c := range cols {
		marks[i] = "$" + strconv.Itoa(i+1)
		sets[i] = strings.TrimSpace(c) + " = $" + strconv.Itoa(i+1)
	}
	index := fmt.Sprintf(` INSERT INTO article_index (id, published, source_id, source_name, section, ntokens, tsv)
		SELECT id, published, source_id, source_name, section, ntokens, $%d::tsvector FROM a`, n+1)
	ins := `WITH a AS (INSERT INTO articles (` + articleWriteColumns + `, ntokens, stored_at, updated_at) VALUES (` +
		strings.Join(marks, ", ") + fmt.Sprintf(`, $%d, $%d, $%d)`, n+2, n+3, n+3) +
		` RETURNING id, published, source_id, source_name, section, ntokens)` + index + ` RETURNING id`
	upd := `WITH a AS (UPDATE articles SET ` + strings.Join(sets, ", ") +
		fmt.Sprintf(`, ntokens = $%d, updated_at = $%d WHERE id = $%d`, n+2, n+3, n+4) +
		` RETURNING id, published, source_id, source_name, section, ntokens)` + index +
		` ON CONFLICT (id) DO UPDATE SET published = EXCLUDED.published, source_id = EXCLUDED.source_id,
		source_name = EXCLUDED.source_name, section = EXCLUDED.section, ntokens = EXCLUDED.ntokens, tsv = EXCLUDED.tsv`
	return ins, upd
}()

// statsDelta is the change a transaction makes to the index statistics.
type statsDelta struct {
	docs, tokens int64
	// terms changes the document frequency of tokens (term_stats).
	terms map[string]int64
}

// addTerms adds delta to the document frequency of each token of toks.
func (d *statsDelta) addTerms(toks []string, delta int64) {
	if d.terms == nil {
		d.terms = map[string]int64{}
	}
	for _, t := range toks {
		d.terms[t] += delta
	}
}

// apply adds d to one shard of index_stats, chosen by the server process so
// that concurrent writers seldom share a row.
func (d statsDelta) apply(ctx context.Context, tx pgx.Tx) error {
	// Tokens in one order in every transaction: two writers on the same
	// shard lock the rows they share in the same order, never in a cycle.
	toks := make([]string, 0, len(d.terms))
	for t, n := range d.terms {
		if n != 0 {
			toks = append(toks, t)
		}
	}
	sort.Strings(toks)
	if len(toks) > 0 {
		dfs := make([]int64, len(toks))
		for i, t := range toks {
			dfs[i] = d.terms[t]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO term_stats (token, shard, df)
			SELECT t, (pg_backend_pid() % 16)::smallint, n FROM unnest($1::text[], $2::bigint[]) AS u(t, n)
			ON CONFLICT (token, shard) DO UPDATE SET df = term_stats.df + EXCLUDED.df`, toks, dfs); err != nil {
			return fmt.Errorf("term statistics: %w", err)
		}
	}
	if d.docs == 0 && d.tokens == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE index_stats SET docs = docs + $1, tokens = tokens + $2
		WHERE shard = pg_backend_pid() % 16`, d.docs, d.tokens)
	return err
}

// resolveSource fills the source name from the source ID, or the source ID
// from the name, when only one of them is set.
func (s *ArticleService) resolveSource(ctx context.Context, tx pgx.Tx, a *diembao.Article, doc *query.Document) error {
	switch {
	case a.SourceID != 0 && a.SourceName == "":
		err := tx.QueryRow(ctx, `SELECT name FROM sources WHERE id = $1`, a.SourceID).Scan(&a.SourceName)
		if errors.Is(err, pgx.ErrNoRows) {
			return diembao.Errorf(diembao.EINVALID, "article %s names source %d, which does not exist", a.URL, a.SourceID)
		} else if err != nil {
			return fmt.Errorf("postgres: source of %s: %w", a.URL, err)
		}
		doc.Source = s.analyzer.Field(a.SourceName)
	case a.SourceID == 0 && a.SourceName != "":
		err := tx.QueryRow(ctx, `SELECT id FROM sources WHERE name = $1`, a.SourceName).Scan(&a.SourceID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: source of %s: %w", a.URL, err)
		}
	}
	return nil
}

const articleWriteColumns = `url, source_id, source_name, fetch_id, title, sapo, body, captions, images,
	author, attribution, published, published_precision, published_from, page_date, section, tags,
	language, content_hash, fetched_at, story_id`

func articleArgs(a *diembao.Article) ([]any, error) {
	body, err := json.Marshal(orEmpty(a.Body))
	if err != nil {
		return nil, fmt.Errorf("postgres: article %s body: %w", a.URL, err)
	}
	captions, err := json.Marshal(orEmpty(a.Captions))
	if err != nil {
		return nil, fmt.Errorf("postgres: article %s captions: %w", a.URL, err)
	}
	images, err := json.Marshal(orEmpty(a.Images))
	if err != nil {
		return nil, fmt.Errorf("postgres: article %s images: %w", a.URL, err)
	}
	var attribution any
	if a.Attribution != nil {
		b, err := json.Marshal(a.Attribution)
		if err != nil {
			return nil, fmt.Errorf("postgres: article %s attribution: %w", a.URL, err)
		}
		attribution = string(b)
	}
	return []any{
		a.URL, nullID(a.SourceID), a.SourceName, nullID(a.FetchID), a.Title, a.Sapo, string(body),
		string(captions), string(images), a.Author, attribution,
		dbTime(a.Published), string(a.PublishedPrecision), a.PublishedFrom, dbTime(a.PageDate),
		a.Section, textList(a.Tags), a.Language, a.ContentHash, dbTime(a.FetchedAt), nullID(a.StoryID),
	}, nil
}

func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const articleReadColumns = `id, url, source_id, source_name, fetch_id, title, sapo, body::text, captions::text,
	images::text, author, attribution::text, published, published_precision, published_from, page_date,
	section, tags, language, content_hash, fetched_at, story_id`

// FindArticleByID returns the article with the given ID or an ENOTFOUND
// error.
func (s *ArticleService) FindArticleByID(ctx context.Context, id int64) (*diembao.Article, error) {
	list, err := s.find(ctx, `WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: find article %d: %w", id, err)
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no article with id %d", id)
	}
	return list[0], nil
}

// FindArticleByURL returns the article stored under the canonical URL u or
// an ENOTFOUND error.
func (s *ArticleService) FindArticleByURL(ctx context.Context, u string) (*diembao.Article, error) {
	list, err := s.find(ctx, `WHERE url = $1`, u)
	if err != nil {
		return nil, fmt.Errorf("postgres: find article %s: %w", u, err)
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no article with URL %s", u)
	}
	return list[0], nil
}

// FindArticles returns articles, newest published first (articles without
// a date last), filtered by source and published time.
func (s *ArticleService) FindArticles(ctx context.Context, f diembao.ArticleFilter) ([]*diembao.Article, error) {
	var (
		where []string
		args  []any
	)
	if f.SourceID != nil {
		args = append(args, *f.SourceID)
		where = append(where, "source_id = $"+strconv.Itoa(len(args)))
	}
	if !f.Since.IsZero() {
		args = append(args, f.Since.UTC())
		where = append(where, "published >= $"+strconv.Itoa(len(args)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := ""
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit, max(f.Offset, 0))
	q += " ORDER BY published DESC NULLS LAST, id DESC LIMIT $" + strconv.Itoa(len(args)-1) + " OFFSET $" + strconv.Itoa(len(args))
	list, err := s.find(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: find articles: %w", err)
	}
	return list, nil
}

// CountArticles returns the number of stored articles.
func (s *ArticleService) CountArticles(ctx context.Context) (int, error) {
	var n int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count articles: %w", err)
	}
	return n, nil
}

func (s *ArticleService) find(ctx context.Context, where string, args ...any) ([]*diembao.Article, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+articleReadColumns+` FROM articles `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*diembao.Article
	for rows.Next() {
		var (
			a                            diembao.Article
			source, fetch, story         *int64
			published, pageDate, fetched *time.Time
			body, captions, images       string
			attrib                       *string
			precision                    string
		)
		if err := rows.Scan(&a.ID, &a.URL, &source, &a.SourceName, &fetch, &a.Title, &a.Sapo, &body, &captions, &images,
			&a.Author, &attrib, &published, &precision, &a.PublishedFrom, &pageDate, &a.Section, &a.Tags,
			&a.Language, &a.ContentHash, &fetched, &story); err != nil {
			return nil, fmt.Errorf("scan article: %w", err)
		}
		a.SourceID, a.FetchID, a.StoryID = deref(source), deref(fetch), deref(story)
		a.Published = fromDB(published, diembao.Vietnam)
		a.PublishedPrecision = diembao.Precision(precision)
		a.PageDate = fromDB(pageDate, diembao.Vietnam)
		a.FetchedAt = fromDB(fetched, time.UTC)
		for _, f := range []struct {
			text string
			dst  any
		}{{body, &a.Body}, {captions, &a.Captions}, {images, &a.Images}} {
			if err := json.Unmarshal([]byte(f.text), f.dst); err != nil {
				return nil, fmt.Errorf("article %d: %w", a.ID, err)
			}
		}
		if attrib != nil {
			a.Attribution = new(diembao.Attribution)
			if err := json.Unmarshal([]byte(*attrib), a.Attribution); err != nil {
				return nil, fmt.Errorf("article %d attribution: %w", a.ID, err)
			}
		}
		if len(a.Captions) == 0 {
			a.Captions = nil
		}
		if len(a.Images) == 0 {
			a.Images = nil
		}
		a.Tags = nilIfEmpty(a.Tags)
		list = append(list, &a)
	}
	return list, rows.Err()
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
