-- 0003_term_stats: the document frequency of every token of the index (the
-- number of articles holding it in any column), which ranking needs for
-- its inverse document frequencies (query.PhraseIDF). Counting them with
-- the GIN index costs a pass over each token's posting list in every
-- search; kept here they cost one indexed read.
--
-- Writers add their changes to the shard of their server process, as they
-- do for index_stats, so that concurrent writers do not queue on the rows
-- of common words; a token's frequency is the sum over its shards. This
-- migration fills shard 0 from the index once.
CREATE TABLE term_stats (
	token text NOT NULL,
	shard smallint NOT NULL,
	df    bigint NOT NULL,
	PRIMARY KEY (token, shard)
);

INSERT INTO term_stats (token, shard, df)
	SELECT tok, 0, count(*) FROM (
		SELECT DISTINCT a.id, substr(lex, strpos(lex, ':') + 1) AS tok
		FROM article_index a, unnest(tsvector_to_array(a.tsv)) AS lex
	) t
	GROUP BY tok;
