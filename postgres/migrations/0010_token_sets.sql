-- 0010_token_sets: the articles holding each token, as sets of IDs, so that
-- a search whose match is made of whole words (AND, OR, NOT, no field, no
-- phrase) finds every matching article from a few small rows per word
-- instead of the GIN index's bitmap and a visit of each match's heap row
-- (see docs/decisions/0015-postgres-token-sets.md).
--
-- The keys are those of token_freqs (0005): a token of the title and body
-- columns, or the words key and a token of the words columns; a key's set
-- holds the articles having it in any of its columns. The rows are kept as
-- those of token_freqs and token_positions (0007): one key, one chunk, one
-- shard of writers, a main row and a tail, a value made of pieces appended
-- by each transaction (a varint length, then a chunk of package
-- internal/idset). A chunk here is one of idset's, 4,096 consecutive IDs.
-- A write changes the rows of token_freqs, token_positions and this table
-- in that order.
--
-- The store fills the table from the index entries in Go, in the
-- transaction of this migration (see fillTokenSets).
CREATE TABLE token_sets (
	token text COLLATE "C" NOT NULL,
	chunk bigint NOT NULL,
	shard smallint NOT NULL,
	tail boolean NOT NULL DEFAULT false,
	ids bytea NOT NULL,
	PRIMARY KEY (token, chunk, shard, tail)
);
