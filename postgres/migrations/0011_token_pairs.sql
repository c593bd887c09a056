-- 0011_token_pairs: the pairs of adjacent folded tokens each article holds
-- in its title and body, hashed, so that a search of a phrase decodes the
-- positions of its tokens (token_positions) only in the few articles where
-- its words may follow each other, instead of in every article holding its
-- rarest word (see docs/decisions/0017-postgres-phrase-pairs.md).
--
-- The rows are those of package internal/pairidx (the embedded store's
-- token_pairs, docs/decisions/0016-phrases-from-pairs.md), kept as those of
-- token_sets: one bucket of pairidx (its number in decimal, in the column
-- named token so that the rows are written as those of the other tables of
-- pieces), one chunk of 4,096 consecutive IDs, one shard of writers, a main
-- row and a tail, a value made of pieces appended by each transaction (a
-- varint length, then a byte of kind: 0 and a row of pairidx, or 1 and a
-- short list of entries, see encodePairs). A tail moved onto its main row
-- leaves it one piece, a row. A write appends its articles' pairs after the rows
-- of token_sets; a replaced article's old pairs stay (they only add
-- candidates, which the positions reject).
--
-- The store fills the table from the index entries in Go, in the
-- transaction of this migration (see fillTokenPairs).
CREATE TABLE token_pairs (
	token text COLLATE "C" NOT NULL,
	chunk bigint NOT NULL,
	shard smallint NOT NULL,
	tail boolean NOT NULL DEFAULT false,
	pairs bytea NOT NULL,
	PRIMARY KEY (token, chunk, shard, tail)
);
