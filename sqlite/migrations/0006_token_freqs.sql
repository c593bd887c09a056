-- 0006_token_freqs: for every token of the title, folded title, body and
-- folded body columns, how many times each article holds it in each of
-- them, by chunks of 4,096 IDs kept like token_sets (see internal/tokfreq
-- for the form of freqs). A search the token sets answer scores its
-- relevance window from these counts, the article lengths and term_stats,
-- without walking FTS5's posting lists.
--
-- The writer keeps the table up to date in the transaction that changes
-- the index; after this file, the migration fills it from the index once
-- (sqlite/tokenfreqs.go, from fts5vocab's instances).
CREATE TABLE token_freqs (
	grp INTEGER NOT NULL,
	token TEXT NOT NULL,
	chunk INTEGER NOT NULL,
	freqs BLOB NOT NULL,
	PRIMARY KEY (grp, token, chunk)
) WITHOUT ROWID;
