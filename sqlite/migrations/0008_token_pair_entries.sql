-- 0008_token_pair_entries: the rows of token_pairs hold entries of four
-- bytes each (20 bits of hash and the article's offset in its chunk),
-- which a search finds by bisection, instead of varint differences it
-- decoded from the start of the row (see internal/pairidx). The rows are
-- written afresh from article_tokens after this file
-- (sqlite/tokenpairs.go), a chunk's rows as one part.
DELETE FROM token_pairs;
DELETE FROM token_pair_chunks;
