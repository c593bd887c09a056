-- 0009_sequences_file: the token sequences move to a database file of
-- their own, attached to every connection as the schema seq (see
-- sqlite/sequences.go): SQLite maps that file into memory, which it does
-- for at most 2 GB of a file, and checking a phrase's candidates reads
-- their sequences scattered over the table.
--
-- A transaction writing both files commits each atomically but not the
-- two together: sequence_stamp, in each file, counts the transactions
-- that wrote sequences (n) and names the database (owner, a random
-- number), and the store rebuilds the sequences file when the two rows
-- differ. The table has no foreign key (SQLite has none across
-- files); articles are never deleted, and a replaced article's sequence
-- is replaced.
--
-- A crash may have left the sequences file with the tables of an earlier
-- attempt: they are dropped first.
DROP TABLE IF EXISTS seq.article_tokens;
DROP TABLE IF EXISTS seq.sequence_stamp;
DROP TABLE IF EXISTS main.sequence_stamp;

CREATE TABLE seq.article_tokens (
	id INTEGER PRIMARY KEY,
	seq BLOB NOT NULL
);

INSERT INTO seq.article_tokens (id, seq) SELECT id, seq FROM main.article_tokens ORDER BY id;

DROP TABLE main.article_tokens;

CREATE TABLE main.sequence_stamp (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL,
	owner INTEGER NOT NULL
);
CREATE TABLE seq.sequence_stamp (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL,
	owner INTEGER NOT NULL
);
INSERT INTO main.sequence_stamp (id, n, owner) VALUES (1, 1, random());
INSERT INTO seq.sequence_stamp (id, n, owner) SELECT id, n, owner FROM main.sequence_stamp;
