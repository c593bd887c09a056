-- 0001_init: sources, collections, fetches, articles and the article
-- full-text index. Times are Unix seconds (NULL when unknown); lists and
-- structured values are JSON text.

CREATE TABLE collections (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE sources (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	homepage   TEXT NOT NULL DEFAULT '',
	feeds      TEXT NOT NULL DEFAULT '[]',
	sitemaps   TEXT NOT NULL DEFAULT '[]',
	province   TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL DEFAULT 'other',
	enabled    INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,

	last_attempt         INTEGER,
	last_success         INTEGER,
	consecutive_failures INTEGER NOT NULL DEFAULT 0,
	last_error           TEXT NOT NULL DEFAULT ''
);

CREATE TABLE source_collections (
	source_id     INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
	collection_id INTEGER NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
	PRIMARY KEY (source_id, collection_id)
) WITHOUT ROWID;

CREATE TABLE fetches (
	id          INTEGER PRIMARY KEY,
	source_id   INTEGER REFERENCES sources (id) ON DELETE SET NULL,
	url         TEXT NOT NULL,
	status      INTEGER NOT NULL DEFAULT 0,
	header      TEXT NOT NULL DEFAULT '{}',
	fetched_at  INTEGER NOT NULL,
	warc_file   TEXT NOT NULL DEFAULT '',
	warc_offset INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX fetches_url ON fetches (url);

CREATE TABLE articles (
	id                  INTEGER PRIMARY KEY,
	url                 TEXT NOT NULL UNIQUE,
	source_id           INTEGER REFERENCES sources (id) ON DELETE SET NULL,
	source_name         TEXT NOT NULL DEFAULT '',
	fetch_id            INTEGER REFERENCES fetches (id) ON DELETE SET NULL,
	title               TEXT NOT NULL DEFAULT '',
	sapo                TEXT NOT NULL DEFAULT '',
	body                TEXT NOT NULL DEFAULT '[]',
	captions            TEXT NOT NULL DEFAULT '[]',
	images              TEXT NOT NULL DEFAULT '[]',
	author              TEXT NOT NULL DEFAULT '',
	attribution         TEXT NOT NULL DEFAULT '',
	published           INTEGER,
	published_precision TEXT NOT NULL DEFAULT '',
	published_from      TEXT NOT NULL DEFAULT '',
	page_date           INTEGER,
	section             TEXT NOT NULL DEFAULT '',
	tags                TEXT NOT NULL DEFAULT '[]',
	language            TEXT NOT NULL DEFAULT '',
	content_hash        TEXT NOT NULL,
	fetched_at          INTEGER,
	story_id            INTEGER,
	stored_at           INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL
);

CREATE INDEX articles_published ON articles (published, id);
CREATE INDEX articles_source ON articles (source_id, published);

-- article_index holds the output of package query's analysis, one row per
-- article (rowid = articles.id): space-separated tokens, exact (normalized,
-- lower-case syllables) and folded (diacritics removed) in separate
-- columns so that bm25() can weigh them; segmented multi-syllable words
-- (syllables joined by "_") in words/words_f; author, source and section
-- hold their exact tokens followed by their folded tokens. The text itself
-- lives in articles; the index is contentless.
CREATE VIRTUAL TABLE article_index USING fts5 (
	title, title_f, body, body_f, words, words_f, author, source, section,
	content = '',
	contentless_delete = 1,
	tokenize = "ascii tokenchars '_'"
);
