-- 0006_token_positions: where each article holds each token in the four
-- columns a phrase is searched in (title, folded title, body, folded
-- body), so that a search of phrases finds them, and scores them, from a
-- few rows per token instead of testing every candidate's tsvector (see
-- docs/decisions/0012-postgres-token-positions.md). The positions are those
-- the article's tsvector keeps.
--
-- The rows are those of token_freqs (0005): one token, one chunk of 1,024
-- consecutive IDs, one shard of writers, a value made of pieces appended by
-- each transaction (a varint length, then the positions in the form of
-- package internal/tokpos), tokens in the order of their bytes. The words
-- columns have no positions. A write changes the rows of token_freqs and of
-- this table in the same order.
--
-- The store fills the table from the index entries in Go, in the
-- transaction of this migration (see fillTokenPositions).
CREATE TABLE token_positions (
	token text COLLATE "C" NOT NULL,
	chunk bigint NOT NULL,
	shard smallint NOT NULL,
	positions bytea NOT NULL,
	PRIMARY KEY (token, chunk, shard)
);
