-- 0011_sequences_data: the token sequences move out of SQLite into a file
-- of records of their own, diembao.db-sequences-data (see
-- sqlite/seqdata.go and internal/seqlog), which searches map into memory;
-- the sequences database keeps where each begins. The move itself is
-- written in Go (moveSequences), in this transaction.
--
-- A crash between the commits of the two database files may have left the
-- sequences database moved and the main one not: article_tokens is then
-- missing, the move finds nothing to move, and the stamps (see
-- 0009_sequences_file.sql) differ, so that Open rebuilds the sequences.
CREATE TABLE IF NOT EXISTS seq.article_tokens (
	id INTEGER PRIMARY KEY,
	seq BLOB NOT NULL
);
DROP TABLE IF EXISTS seq.sequence_chunks;
DROP TABLE IF EXISTS seq.sequence_log;

-- The offsets of the sequences of a chunk of 4,096 article IDs (8 bytes
-- each, little-endian, by the article's place in the chunk; 0 for none),
-- and the data file's size after the write that last changed them (gen:
-- a search keeps the rows it read while gen stays the same).
CREATE TABLE seq.sequence_chunks (
	chunk INTEGER PRIMARY KEY,
	gen INTEGER NOT NULL,
	locs BLOB NOT NULL
);

-- The data file's name (the random number of its header) and the size the
-- offsets recorded need.
CREATE TABLE seq.sequence_log (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	name INTEGER NOT NULL,
	size INTEGER NOT NULL
);
