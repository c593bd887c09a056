-- 0007_token_pairs: what answers phrases without FTS5's posting lists,
-- which for the common words of a phrase cover most of an archive.
--
-- token_ids numbers every token of the title and body columns, exact and
-- folded; fold is the ID of the token's folded form (a folded token is its
-- own). IDs are never changed or reused.
--
-- article_tokens holds each article's title and body as the sequence of
-- the IDs of their exact tokens (see internal/tokseq for the form of
-- seq): a phrase is checked, and its instances counted, in a candidate
-- article from this one row.
--
-- token_pairs holds, by bucket of hashed pairs and chunk of 4,096 IDs,
-- which articles hold which adjacent pairs of folded tokens in their title
-- or body (see internal/pairidx for the form of entries), a bucket's rows
-- together; a rowid table keeps rows of a few kilobytes in their page,
-- where an index b-tree (WITHOUT ROWID) would spill past one. The candidates
-- of a phrase are the articles holding all its pairs. An article replaced
-- or deleted leaves its entries behind; they only make candidates that
-- its sequence then rejects.
--
-- The writer keeps the tables up to date in the transaction that changes
-- the index; after this file, the migration fills them once from the
-- stored articles, analysed again (sqlite/tokenpairs.go).
CREATE TABLE token_ids (
	id INTEGER PRIMARY KEY,
	token TEXT NOT NULL UNIQUE,
	fold INTEGER NOT NULL
);

CREATE TABLE article_tokens (
	id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	seq BLOB NOT NULL
);

CREATE TABLE token_pairs (
	id INTEGER PRIMARY KEY, -- bucket << 44 | chunk << 12 | part
	entries BLOB NOT NULL
);

-- token_pair_chunks counts the parts of each chunk's rows: a batch adds a
-- part (numbered by the offset of its first article in the chunk) instead
-- of rewriting the chunk's rows; the writer merges a chunk's parts into
-- part 0 once a later chunk is written or they grow many.
CREATE TABLE token_pair_chunks (
	chunk INTEGER PRIMARY KEY,
	parts INTEGER NOT NULL
);
