-- 0004_term_stats: the document frequency of every token of the index (the
-- number of articles holding it in any column), which diembao_rank needs
-- for its inverse document frequencies. The writer keeps it up to date in
-- the transaction that changes the index; this migration fills it from the
-- index once (FTS5's vocabulary table reads every posting list: a minute
-- or two per million articles).
CREATE TABLE term_stats (
	token TEXT PRIMARY KEY,
	df INTEGER NOT NULL
) WITHOUT ROWID;

CREATE VIRTUAL TABLE temp.article_vocab USING fts5vocab(main, 'article_index', 'row');
INSERT INTO term_stats (token, df) SELECT term, doc FROM temp.article_vocab;
DROP TABLE temp.article_vocab;
