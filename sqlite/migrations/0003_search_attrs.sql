-- 0003_search_attrs: what search needs of every article without reading
-- the article rows themselves. articles_attrs covers the columns that the
-- store keeps in memory for filters, facets and date order (a scan of this
-- index reads a few dozen bytes per article instead of whole rows);
-- articles_updated finds the articles changed since the last refresh of
-- that copy.
CREATE INDEX articles_attrs ON articles (id, published, source_id, source_name, section);
CREATE INDEX articles_updated ON articles (updated_at);
