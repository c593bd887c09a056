-- 0005_token_sets: for every token of the folded title, body and words
-- columns, the IDs of the articles that hold it, by chunks of 4,096 IDs
-- (see internal/idset for the form of ids). Searches made of words,
-- AND, OR and NOT evaluate their match on these sets, and count, filter
-- and facet it without walking FTS5's posting lists; FTS5 still scores
-- the articles that relevance ranks.
--
-- Rows are kept by groups of 8 chunks (grp = chunk / 8, 32,768 IDs): a
-- batch of new articles changes the newest chunk of each of its tokens,
-- and those rows lie in the newest group, a small part of the table,
-- instead of one page per token across all of it; a search reads a
-- token's rows group by group.
--
-- The writer keeps the table up to date in the transaction that changes
-- the index; after this file, the migration fills it from the index once
-- (sqlite/tokensets.go: a few minutes per million articles).
CREATE TABLE token_sets (
	grp INTEGER NOT NULL,
	token TEXT NOT NULL,
	chunk INTEGER NOT NULL,
	ids BLOB NOT NULL,
	PRIMARY KEY (grp, token, chunk)
) WITHOUT ROWID;
