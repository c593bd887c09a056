-- 0008_gin_fastupdate: the GIN index of the articles' tsvectors takes new
-- entries into its tree at once, without GIN's pending list (fastupdate).
-- With the list, a search whose tsquery holds a NOT (an exclusion), run while
-- VACUUM (autovacuum, as a crawl writes) moves the list into the tree, was
-- seen to count articles it excludes; with the list off that was not seen
-- again (docs/postgres.md, Limits). Writes cost a little more: the batched
-- writes measured in BENCHMARKS.md. The list of an existing index is
-- emptied here, as ALTER INDEX does not.
ALTER INDEX article_index_tsv SET (fastupdate = off);
SELECT gin_clean_pending_list('article_index_tsv'::regclass);
