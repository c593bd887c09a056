-- 0002_article_index: the full-text index entry of each article moves to a
-- narrow table of its own, beside the attributes that search filters,
-- counts and orders by.
--
-- Counting the matches of a query, its facets and the document frequencies
-- of its ranking visit one heap tuple per matching article, since
-- PostgreSQL checks each match's visibility in the table. In articles that
-- tuple is a row of about a kilobyte (title, lead, URL, metadata); in
-- article_index it is a few dozen bytes, so the same count visits about
-- ten times fewer pages.
--
-- The store writes an article and its index row in one statement (see
-- ArticleService); the foreign keys keep the copies of the source and the
-- removal of an article in step.

CREATE TABLE article_index (
	id          bigint PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
	published   timestamptz,
	source_id   bigint REFERENCES sources (id) ON DELETE SET NULL,
	source_name text NOT NULL DEFAULT '',
	section     text NOT NULL DEFAULT '',
	ntokens     integer NOT NULL DEFAULT 0,
	tsv         tsvector NOT NULL DEFAULT ''::tsvector
);

DROP INDEX articles_tsv;

INSERT INTO article_index (id, published, source_id, source_name, section, ntokens, tsv)
	SELECT id, published, source_id, source_name, section, ntokens, tsv FROM articles;

ALTER TABLE articles DROP COLUMN tsv;

CREATE INDEX article_index_tsv ON article_index USING gin (tsv);
CREATE INDEX article_index_published ON article_index (published, id);
CREATE INDEX article_index_source ON article_index (source_id, published);

ANALYZE article_index;
