-- 0002_crawl: the crawl frontier and the state of feed polls. The times of
-- these tables are Unix milliseconds (NULL when unknown), because retry and
-- politeness delays are often shorter than a second.

-- frontier holds every URL the crawler has discovered, keyed by its
-- canonical form. due_at is when the item may next be leased: not_before
-- for a pending item, the end of the lease for a leased one (so a lease
-- whose holder died runs out by itself) and NULL once the item is done or
-- failed.
CREATE TABLE frontier (
	id            INTEGER PRIMARY KEY,
	source_id     INTEGER REFERENCES sources (id) ON DELETE CASCADE,
	url           TEXT NOT NULL UNIQUE,
	kind          TEXT NOT NULL DEFAULT 'page',
	priority      INTEGER NOT NULL DEFAULT 0,
	state         TEXT NOT NULL DEFAULT 'pending',
	attempts      INTEGER NOT NULL DEFAULT 0,
	due_at        INTEGER,
	not_before    INTEGER NOT NULL DEFAULT 0,
	leased_until  INTEGER,
	last_error    TEXT NOT NULL DEFAULT '',
	title         TEXT NOT NULL DEFAULT '',
	published     INTEGER,
	discovered_at INTEGER NOT NULL,
	done_at       INTEGER
);

CREATE INDEX frontier_due ON frontier (due_at, priority) WHERE due_at IS NOT NULL;
CREATE INDEX frontier_source ON frontier (source_id, kind, discovered_at);

-- feed_states keeps, per feed or sitemap URL, the validators of
-- conditional requests and the adaptive poll interval.
CREATE TABLE feed_states (
	url           TEXT PRIMARY KEY,
	source_id     INTEGER REFERENCES sources (id) ON DELETE CASCADE,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	interval_ms   INTEGER NOT NULL DEFAULT 0,
	last_poll     INTEGER,
	next_poll     INTEGER,
	last_new      INTEGER,
	failures      INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT ''
);
