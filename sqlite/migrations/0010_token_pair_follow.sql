-- 0010_token_pair_follow: each entry of token_pairs also holds four bits
-- summing up the tokens that follow its pair in the article (see
-- internal/pairidx, Follow): a phrase of three words and more then finds
-- as candidates only the articles whose pairs are followed by a token
-- with the bit of the phrase's next word, where an article holding its
-- pairs apart was a candidate too. The rows are written afresh from
-- article_tokens after this file (sqlite/tokenpairs.go), a chunk's rows
-- as one part.
DELETE FROM token_pairs;
DELETE FROM token_pair_chunks;
