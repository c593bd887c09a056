// Package extract is stage 4 of the pipeline: it turns a fetched news page
// into a clean diembao.Article — the headline, the sapo (lead) once, the
// body paragraphs with their subheadings, captions and images apart, the
// author and the attribution of a republished article, the published time
// with its precision and source, the date a site header printed, section,
// tags, canonical URL and language.
//
// The page's bytes are decoded first (byte-order mark, valid UTF-8, HTTP
// header, <meta>, then sniffing for legacy Vietnamese encodings) and parsed
// into a light tree by golang.org/x/net/html's tokenizer, with bounded depth
// and size so that hostile pages cost bounded time and memory. Generic rules
// find the parts; per-outlet site rules (LoadRules) override them for
// outlets whose markup defeats the generic rules. ParseDate reads
// Vietnamese datelines on their own.
package extract
