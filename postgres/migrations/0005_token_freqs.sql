-- 0005_token_freqs: how many times each article holds each token in each
-- of the four columns a word is searched and scored in (title, folded
-- title, body, folded body), and each segmented word in the two words
-- columns, so that a search scores its relevance window from a few rows
-- per token instead of reading every tsvector of the window (see
-- docs/decisions/0011-postgres-token-counts.md). The rows of the words
-- columns have the token behind a byte 0x1F, which no token holds, and
-- their counts (words, folded words) in the first two places.
--
-- A row covers one token in one chunk of 1,024 consecutive IDs, for the
-- articles one shard of writers stored (the shard of term_stats, chosen by
-- the server process), so that concurrent writers seldom wait on the same
-- row. Its value is a sequence of pieces, each appended by one transaction:
-- a piece is its length as a varint followed by the counts in the form of
-- package internal/tokfreq. An article's entry is in one row per token;
-- replacing the article removes it from every shard's row first.
--
-- Tokens are in the order of their bytes (COLLATE "C"), so that the rows
-- of the tokens a prefix begins are one range of the primary key whatever
-- the database's collation, and so that every writer locks rows in the
-- order it sorts them in.
--
-- The store fills the table from the index entries in Go, in the
-- transaction of this migration (see fillTokenFreqs).
CREATE TABLE token_freqs (
	token text COLLATE "C" NOT NULL,
	chunk bigint NOT NULL,
	shard smallint NOT NULL,
	freqs bytea NOT NULL,
	PRIMARY KEY (token, chunk, shard)
);

-- A row's value stays in the row (compressed if it must), not in the TOAST
-- table: each write rewrites it whole, and each search reads it whole.
ALTER TABLE token_freqs ALTER COLUMN freqs SET STORAGE MAIN;
