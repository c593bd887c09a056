package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/query"
)

// ArticleService implements diembao.ArticleService on the embedded store.
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
// transaction for all of them, which is much faster for bulk imports. Either
// every article is stored or, on error, none is.
func (s *ArticleService) PutArticles(ctx context.Context, list []*diembao.Article) ([]diembao.PutResult, error) {
	b, err := s.Prepare(list)
	if err != nil {
		return nil, err
	}
	return s.Write(ctx, b)
}

// Batch is a list of articles that Prepare has validated and analysed and
// that Write has yet to store.
type Batch struct {
	list []*diembao.Article
	docs []query.Document
	// byToken holds the tokens of the entries (see tokensOf), worked out
	// with the analysis, gathered by token (see gather): the only form
	// the batch keeps of them while it waits for Write. sources holds the
	// source column of each entry they were found in (see
	// writer.resolveSource, which may fill it in).
	byToken map[string][]posting
	sources []string
	// seqs are the entries' tokens for their sequences and pairs.
	seqs []seqTokens
}

// Len returns the number of articles in b.
func (b *Batch) Len() int { return len(b.list) }

// Prepare validates list and computes the content hashes (where empty) and
// the index entries of its articles, on all processors when the list is
// large, without touching the database. PutArticles is Prepare followed by
// Write; a bulk import that prepares the next batch while Write stores the
// previous one keeps analysis and writing busy at the same time. The
// articles of list must not change between Prepare and Write.
func (s *ArticleService) Prepare(list []*diembao.Article) (*Batch, error) {
	for _, a := range list {
		if err := query.ValidateArticle(a); err != nil {
			return nil, err
		}
	}
	docs, toks, seqs := s.analyze(list)
	sources := make([]string, len(docs))
	for i := range docs {
		sources[i] = docs[i].Source
	}
	return &Batch{list: list, docs: docs, byToken: gather(toks), sources: sources, seqs: seqs}, nil
}

// Write stores a prepared batch as PutArticles does, in one transaction:
// either every article is stored or, on error, none is, and the batch may
// be written again. Writing a stored batch again changes nothing.
func (s *ArticleService) Write(ctx context.Context, b *Batch) ([]diembao.PutResult, error) {
	tx, err := s.db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlite: put articles: %w", err)
	}
	defer tx.Rollback()
	w := newWriter(ctx, tx, s)
	results := make([]diembao.PutResult, len(b.list))
	ids := make([]int64, len(b.list))
	// newer holds while every article is new, with a larger ID than the
	// one before, and indexed with the tokens Prepare found.
	newer := true
	for i, a := range b.list {
		r, err := w.put(a, &b.docs[i], i, b.sources[i])
		if err != nil {
			return nil, err
		}
		results[i], ids[i] = r, a.ID
		// A created article added one op, the last.
		newer = newer && r.Created && (i == 0 || ids[i] > ids[i-1]) && w.ops[len(w.ops)-1].toks == nil
	}
	// The token changes: from the batch's tokens gathered by token when
	// every article is new (an import), else article by article.
	if newer {
		w.tokens = additions(b.byToken, ids)
	} else {
		var byArticle [][]indexToken
		for _, op := range w.ops {
			toks := op.toks
			if toks == nil {
				if byArticle == nil {
					byArticle = scatter(b.byToken, len(b.list))
				}
				toks = byArticle[op.art]
			}
			w.tokens.add(toks, op.id, op.remove)
		}
	}
	if err := w.applyTerms(); err != nil {
		return nil, err
	}
	if err := w.applySets(); err != nil {
		return nil, err
	}
	if err := w.applyFreqs(); err != nil {
		return nil, err
	}
	if err := w.applySeqs(b.seqs); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlite: put articles: %w", err)
	}
	return results, nil
}

// applySeqs writes the token sequences and pairs of the index entries the
// batch adds (seqs are those of the batch's entries).
func (w *writer) applySeqs(seqs []seqTokens) error {
	var sw *seqWriter
	for _, op := range w.ops {
		if op.remove {
			continue
		}
		if sw == nil {
			var err error
			if sw, err = newSeqWriter(w.ctx, w.tx, &w.s.db.dict); err != nil {
				return err
			}
			defer sw.close()
			if sw.log, err = w.s.db.seqs.acquire(w.ctx, w.tx); err != nil {
				return err
			}
			defer w.s.db.seqs.release(sw.log)
		}
		if err := sw.put(op.id, &seqs[op.art]); err != nil {
			return err
		}
	}
	if sw == nil {
		return nil
	}
	if err := sw.flush(); err != nil {
		return err
	}
	return bumpStamps(w.ctx, w.tx)
}

// parallelBatch is the smallest batch analysed by several goroutines.
const parallelBatch = 32

// analyze computes the content hashes (where empty), the index entries of
// list and their tokens, on all processors when the batch is large.
func (s *ArticleService) analyze(list []*diembao.Article) ([]query.Document, [][]indexToken, []seqTokens) {
	docs := make([]query.Document, len(list))
	toks := make([][]indexToken, len(list))
	seqs := make([]seqTokens, len(list))
	one := func(i int) {
		a := list[i]
		if a.ContentHash == "" {
			a.ContentHash = query.ContentHash(a)
		}
		docs[i] = s.analyzer.Document(a)
		toks[i], seqs[i] = tokensAndSeq(&docs[i], &s.db.dict)
	}
	workers := runtime.GOMAXPROCS(0)
	if len(list) < parallelBatch || workers < 2 {
		for i := range list {
			one(i)
		}
		return docs, toks, seqs
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				one(i)
			}
		})
	}
	for i := range list {
		next <- i
	}
	close(next)
	wg.Wait()
	return docs, toks, seqs
}

// writer stores the articles of one transaction with statements prepared
// once for the whole batch, and remembers the sources it has looked up:
// while the transaction holds the write lock they cannot change.
type writer struct {
	ctx context.Context
	tx  *sql.Tx
	s   *ArticleService
	// The statements, each prepared when first needed (and closed with
	// the transaction).
	lookup, insert, index, update, unindex, termUp, termPrune *sql.Stmt
	setRead, setAdd, setWrite, setDelete                      *sql.Stmt
	freqRead, freqAdd, freqWrite, freqDelete                  *sql.Stmt
	sourceNames                                               map[int64]sourceName
	sourceIDs                                                 map[string]int64
	// ops are the index entries the batch adds and removes, in order;
	// tokens gathers the changes they make to the token statistics, sets
	// and counts (see tokenDeltas).
	ops    []tokenOp
	tokens tokenDeltas
}

// tokenOp is an index entry added to or removed from the index: its
// tokens (nil for those Prepare found for the entry of the batch's
// article art), its article.
type tokenOp struct {
	toks   []indexToken
	art    int
	id     int64
	remove bool
}

// sourceName is a looked-up source name; ok is false when the source does
// not exist.
type sourceName struct {
	name string
	ok   bool
}

const (
	lookupSQL = `SELECT id, content_hash FROM articles WHERE url = ?`
	insertSQL = `INSERT INTO articles (` + articleWriteColumns + `, stored_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	indexSQL = `INSERT INTO article_index
		(rowid, title, title_f, body, body_f, words, words_f, author, source, section)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	unindexSQL = `DELETE FROM article_index WHERE rowid = ?`
)

// updateSQL replaces the stored columns of an article.
var updateSQL = `UPDATE articles SET ` + strings.ReplaceAll(articleWriteColumns, ",", " = ?,") + ` = ?, updated_at = ? WHERE id = ?`

func newWriter(ctx context.Context, tx *sql.Tx, s *ArticleService) *writer {
	return &writer{ctx: ctx, tx: tx, s: s, sourceNames: map[int64]sourceName{}, sourceIDs: map[string]int64{}, tokens: tokenDeltas{}}
}

// prepared returns *st, preparing query into it first when it is nil.
func (w *writer) prepared(st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		p, err := w.tx.PrepareContext(w.ctx, query)
		if err != nil {
			return nil, err
		}
		*st = p
	}
	return *st, nil
}

// put stores article a, the batch's article art, with its index entry
// doc, whose source column Prepare analysed as source.
func (w *writer) put(a *diembao.Article, doc *query.Document, art int, source string) (diembao.PutResult, error) {
	var (
		id   int64
		hash string
	)
	lookup, err := w.prepared(&w.lookup, lookupSQL)
	if err == nil {
		err = lookup.QueryRowContext(w.ctx, a.URL).Scan(&id, &hash)
	}
	switch {
	case err == sql.ErrNoRows:
		id = 0
	case err != nil:
		return diembao.PutResult{}, fmt.Errorf("sqlite: put article %s: %w", a.URL, err)
	case hash == a.ContentHash:
		a.ID = id
		return diembao.PutResult{ID: id}, nil
	}
	if err := w.resolveSource(a, doc); err != nil {
		return diembao.PutResult{}, err
	}
	// The entry's tokens are those Prepare found, unless the source's
	// name, looked up here (now or when the batch was written before),
	// changed the entry.
	op := tokenOp{art: art}
	if doc.Source != source {
		op.toks = tokensOf(doc)
	}
	now := w.s.db.Now().Unix()
	args, err := articleArgs(a)
	if err != nil {
		return diembao.PutResult{}, err
	}
	var result diembao.PutResult
	if id == 0 {
		insert, err := w.prepared(&w.insert, insertSQL)
		var res sql.Result
		if err == nil {
			res, err = insert.ExecContext(w.ctx, append(args, now, now)...)
		}
		if err != nil {
			return diembao.PutResult{}, fmt.Errorf("sqlite: insert article %s: %w", a.URL, err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return diembao.PutResult{}, fmt.Errorf("sqlite: insert article %s: %w", a.URL, err)
		}
		result = diembao.PutResult{ID: id, Created: true}
	} else {
		// The index entry being replaced no longer counts in the token
		// statistics: the stored article gives its tokens again.
		old, err := articleByID(w.ctx, w.tx, id)
		if err != nil {
			return diembao.PutResult{}, err
		}
		oldDoc := w.s.analyzer.Document(old)
		w.ops = append(w.ops, tokenOp{toks: tokensOf(&oldDoc), id: id, remove: true})
		update, err := w.prepared(&w.update, updateSQL)
		if err == nil {
			_, err = update.ExecContext(w.ctx, append(args, now, id)...)
		}
		if err != nil {
			return diembao.PutResult{}, fmt.Errorf("sqlite: update article %s: %w", a.URL, err)
		}
		unindex, err := w.prepared(&w.unindex, unindexSQL)
		if err == nil {
			_, err = unindex.ExecContext(w.ctx, id)
		}
		if err != nil {
			return diembao.PutResult{}, fmt.Errorf("sqlite: update index of %s: %w", a.URL, err)
		}
		result = diembao.PutResult{ID: id, Updated: true}
	}
	index, err := w.prepared(&w.index, indexSQL)
	if err == nil {
		_, err = index.ExecContext(w.ctx, id, doc.Title, doc.TitleFolded, doc.Body, doc.BodyFolded,
			doc.Words, doc.WordsFolded, doc.Author, doc.Source, doc.Section)
	}
	if err != nil {
		return diembao.PutResult{}, fmt.Errorf("sqlite: index article %s: %w", a.URL, err)
	}
	op.id = id
	w.ops = append(w.ops, op)
	a.ID = id
	return result, nil
}

// resolveSource fills the source name from the source ID, or the source ID
// from the name, when only one of them is set.
func (w *writer) resolveSource(a *diembao.Article, doc *query.Document) error {
	switch {
	case a.SourceID != 0 && a.SourceName == "":
		sn, seen := w.sourceNames[a.SourceID]
		if !seen {
			err := w.tx.QueryRowContext(w.ctx, `SELECT name FROM sources WHERE id = ?`, a.SourceID).Scan(&sn.name)
			switch {
			case err == nil:
				sn.ok = true
			case err != sql.ErrNoRows:
				return fmt.Errorf("sqlite: source of %s: %w", a.URL, err)
			}
			w.sourceNames[a.SourceID] = sn
		}
		if !sn.ok {
			return diembao.Errorf(diembao.EINVALID, "article %s names source %d, which does not exist", a.URL, a.SourceID)
		}
		a.SourceName = sn.name
		doc.Source = w.s.analyzer.Field(a.SourceName)
	case a.SourceID == 0 && a.SourceName != "":
		id, seen := w.sourceIDs[a.SourceName]
		if !seen {
			err := w.tx.QueryRowContext(w.ctx, `SELECT id FROM sources WHERE name = ?`, a.SourceName).Scan(&id)
			if err != nil && err != sql.ErrNoRows {
				return fmt.Errorf("sqlite: source of %s: %w", a.URL, err)
			}
			w.sourceIDs[a.SourceName] = id
		}
		a.SourceID = id
	}
	return nil
}

const articleWriteColumns = `url, source_id, source_name, fetch_id, title, sapo, body, captions, images,
	author, attribution, published, published_precision, published_from, page_date, section, tags,
	language, content_hash, fetched_at, story_id`

func articleArgs(a *diembao.Article) ([]any, error) {
	body, err := json.Marshal(orEmpty(a.Body))
	if err != nil {
		return nil, fmt.Errorf("sqlite: article %s body: %w", a.URL, err)
	}
	images, err := json.Marshal(orEmpty(a.Images))
	if err != nil {
		return nil, fmt.Errorf("sqlite: article %s images: %w", a.URL, err)
	}
	attribution := ""
	if a.Attribution != nil {
		b, err := json.Marshal(a.Attribution)
		if err != nil {
			return nil, fmt.Errorf("sqlite: article %s attribution: %w", a.URL, err)
		}
		attribution = string(b)
	}
	return []any{
		a.URL, nullID(a.SourceID), a.SourceName, nullID(a.FetchID), a.Title, a.Sapo, string(body),
		jsonList(a.Captions), string(images), a.Author, attribution,
		unixTime(a.Published), string(a.PublishedPrecision), a.PublishedFrom, unixTime(a.PageDate),
		a.Section, jsonList(a.Tags), a.Language, a.ContentHash, unixTime(a.FetchedAt), nullID(a.StoryID),
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

const articleReadColumns = `id, url, source_id, source_name, fetch_id, title, sapo, body, captions, images,
	author, attribution, published, published_precision, published_from, page_date, section, tags,
	language, content_hash, fetched_at, story_id`

// FindArticleByID returns the article with the given ID or an ENOTFOUND
// error.
func (s *ArticleService) FindArticleByID(ctx context.Context, id int64) (*diembao.Article, error) {
	return articleByID(ctx, s.db.db, id)
}

// querier runs a query on a database or in a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// articleByID reads the article with the given ID through q, or returns an
// ENOTFOUND error.
func articleByID(ctx context.Context, q querier, id int64) (*diembao.Article, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+articleReadColumns+` FROM articles WHERE id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find article %d: %w", id, err)
	}
	list, err := scanArticles(rows)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "no article with id %d", id)
	}
	return list[0], nil
}

// FindArticleByURL returns the article stored under the canonical URL u or
// an ENOTFOUND error.
func (s *ArticleService) FindArticleByURL(ctx context.Context, u string) (*diembao.Article, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+articleReadColumns+` FROM articles WHERE url = ?`, u)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find article %s: %w", u, err)
	}
	list, err := scanArticles(rows)
	if err != nil {
		return nil, err
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
		where = append(where, "source_id = ?")
		args = append(args, *f.SourceID)
	}
	if !f.Since.IsZero() {
		where = append(where, "published >= ?")
		args = append(args, f.Since.Unix())
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT ` + articleReadColumns + ` FROM articles`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY published IS NULL, published DESC, id DESC LIMIT ? OFFSET ?"
	rows, err := s.db.db.QueryContext(ctx, q, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: find articles: %w", err)
	}
	return scanArticles(rows)
}

// CountArticles returns the number of stored articles.
func (s *ArticleService) CountArticles(ctx context.Context) (int, error) {
	var n int
	if err := s.db.db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count articles: %w", err)
	}
	return n, nil
}

func scanArticles(rows *sql.Rows) ([]*diembao.Article, error) {
	defer rows.Close()
	var list []*diembao.Article
	for rows.Next() {
		var (
			a                                    diembao.Article
			source, fetch, story                 sql.NullInt64
			published, pageDate, fetched         sql.NullInt64
			body, captions, images, attrib, tags string
			precision                            string
		)
		if err := rows.Scan(&a.ID, &a.URL, &source, &a.SourceName, &fetch, &a.Title, &a.Sapo, &body, &captions, &images,
			&a.Author, &attrib, &published, &precision, &a.PublishedFrom, &pageDate, &a.Section, &tags,
			&a.Language, &a.ContentHash, &fetched, &story); err != nil {
			return nil, fmt.Errorf("sqlite: scan article: %w", err)
		}
		a.SourceID, a.FetchID, a.StoryID = source.Int64, fetch.Int64, story.Int64
		a.Published = fromUnix(published, diembao.Vietnam)
		a.PublishedPrecision = diembao.Precision(precision)
		a.PageDate = fromUnix(pageDate, diembao.Vietnam)
		a.FetchedAt = fromUnix(fetched, time.UTC)
		for _, f := range []struct {
			text string
			dst  any
		}{{body, &a.Body}, {captions, &a.Captions}, {images, &a.Images}, {tags, &a.Tags}} {
			if err := json.Unmarshal([]byte(f.text), f.dst); err != nil {
				return nil, fmt.Errorf("sqlite: article %d: %w", a.ID, err)
			}
		}
		if attrib != "" {
			a.Attribution = new(diembao.Attribution)
			if err := json.Unmarshal([]byte(attrib), a.Attribution); err != nil {
				return nil, fmt.Errorf("sqlite: article %d attribution: %w", a.ID, err)
			}
		}
		if len(a.Captions) == 0 {
			a.Captions = nil
		}
		if len(a.Images) == 0 {
			a.Images = nil
		}
		if len(a.Tags) == 0 {
			a.Tags = nil
		}
		list = append(list, &a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: scan articles: %w", err)
	}
	return list, nil
}
