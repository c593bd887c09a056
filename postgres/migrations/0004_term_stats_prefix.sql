-- 0004_term_stats_prefix: the tokens of term_stats in the order of their
-- bytes, whatever the database's collation, so that a search reads the
-- tokens a prefix (chuyển*) begins as one range: a prefix weighs as the
-- most frequent of them (query.PhraseIDF).
CREATE INDEX term_stats_pattern ON term_stats (token text_pattern_ops);
