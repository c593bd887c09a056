-- 0007_token_tails: a second row per token, chunk and shard in token_freqs
-- and token_positions, the tail, to which a writer appends its small pieces
-- (those of a few articles: a crawler's writes, one article per
-- transaction) until it holds tailLimit bytes, when the tail is moved onto
-- the main row in the same transaction. A row value is rewritten whole by
-- each append: appending each article to the main row, which grows to tens
-- of kilobytes for a common token, rewrote up to 1,024 times that much per
-- chunk (see docs/decisions/0012-postgres-token-positions.md). Readers read
-- every row of a token and chunk, tails included; a row's value is a
-- sequence of pieces either way.
ALTER TABLE token_freqs ADD COLUMN tail boolean NOT NULL DEFAULT false;
ALTER TABLE token_freqs DROP CONSTRAINT token_freqs_pkey;
ALTER TABLE token_freqs ADD PRIMARY KEY (token, chunk, shard, tail);

ALTER TABLE token_positions ADD COLUMN tail boolean NOT NULL DEFAULT false;
ALTER TABLE token_positions DROP CONSTRAINT token_positions_pkey;
ALTER TABLE token_positions ADD PRIMARY KEY (token, chunk, shard, tail);
