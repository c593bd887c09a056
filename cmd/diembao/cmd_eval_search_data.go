package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/internal/vntc"
	"github.com/diembao/diembao/viet"
)

// vntcRecord is one line of the VNTC JSONL corpus.
type vntcRecord = vntc.Record

// vntcSourceNames names the outlets of the VNTC source codes.
var vntcSourceNames = map[string]string{
	"VNE": "VnExpress", "TT": "Tuổi Trẻ", "TN": "Thanh Niên", "NLD": "Người Lao Động",
}

// readVNTC reads a VNTC JSONL file (gzip-compressed when it ends in .gz);
// an unreadable file is a user's mistake.
func readVNTC(path string) ([]vntcRecord, error) {
	recs, err := vntc.Read(path)
	if err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "cannot read the corpus: %v", err)
	}
	return recs, nil
}

// vntcURL is the URL under which a VNTC document is imported.
func vntcURL(rec *vntcRecord) string {
	return "https://vntc.example/" + viet.Slug(rec.Label) + "/" + viet.Slug(strings.TrimSuffix(rec.File, ".txt"))
}

// vntcArticle turns a VNTC document into an article: its lines become
// paragraphs; the corpus has no separate title, so the title is the
// beginning of the first line.
func vntcArticle(rec *vntcRecord) *diembao.Article {
	a := &diembao.Article{URL: vntcURL(rec), Section: rec.Label, Language: "vi"}
	a.SourceName = vntcSourceNames[rec.Source]
	if a.SourceName == "" {
		a.SourceName = rec.Source
	}
	for _, line := range strings.Split(rec.Text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			a.Body = append(a.Body, diembao.Paragraph{Text: line})
		}
	}
	if len(a.Body) > 0 {
		words := strings.Fields(a.Body[0].Text)
		a.Title = strings.Join(words[:min(len(words), 12)], " ")
	}
	return a
}

func init() {
	registerEval(func(app *App) *cobra.Command {
		var (
			corpus, out string
			sample      int
			seed        uint64
			noImport    bool
		)
		cmd := &cobra.Command{
			Use:   "search-data --vntc FILE --queries OUT",
			Short: "Import the VNTC corpus and write known-item queries for eval search",
			Long: `search-data imports the VNTC corpus (JSONL, {label,file,source,text} per line,
optionally gzip-compressed) into the data directory, one article per document,
and writes to OUT a known-item query set for "diembao eval search".

For each of --sample documents drawn at random it takes a distinctive phrase of
3 to 6 words, a window of syllables or numbers within one line: of the 20
windows whose words are rarest in the corpus (largest sum of inverse document
frequencies), the one whose words, in this order and without diacritics, occur
in the fewest other texts (documents with the same text do not count),
the rarest words first on ties. It writes four queries, each with the
document's URL (and those of documents with the same text) as relevant:
  typed    the phrase as written
  folded   the phrase without diacritics
  dropped  the phrase with one word left out
  tone     the phrase with the tone mark of one syllable changed`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				return runEvalSearchData(cmd.Context(), app, corpus, out, sample, seed, noImport)
			},
		}
		fl := cmd.Flags()
		fl.StringVar(&corpus, "vntc", filepath.Join("..", "shared", "data", "vntc", "vntc_10topics_train.jsonl.gz"), "VNTC JSONL file")
		fl.StringVar(&out, "queries", "", "file to write the queries to (required)")
		fl.IntVar(&sample, "sample", 500, "number of documents to draw queries from")
		fl.Uint64Var(&seed, "seed", 1, "seed of the random draw")
		fl.BoolVar(&noImport, "no-import", false, "only write the queries (the corpus is already imported)")
		_ = cmd.MarkFlagRequired("queries")
		return cmd
	})
}

func runEvalSearchData(ctx context.Context, app *App, corpus, out string, sample int, seed uint64, noImport bool) error {
	recs, err := readVNTC(corpus)
	if err != nil {
		return err
	}
	if !noImport {
		st, err := openStore(ctx, app)
		if err != nil {
			return err
		}
		start := time.Now()
		created := 0
		const batch = 500
		for i := 0; i < len(recs); i += batch {
			var list []*diembao.Article
			for j := i; j < min(i+batch, len(recs)); j++ {
				list = append(list, vntcArticle(&recs[j]))
			}
			res, err := st.Articles.PutArticles(ctx, list)
			if err != nil {
				st.Close()
				return err
			}
			for _, r := range res {
				if r.Created {
					created++
				}
			}
		}
		elapsed := time.Since(start)
		st.Close()
		fmt.Fprintf(app.Stdout, "Imported %d documents (%d new) in %.1fs: %.0f articles/s\n",
			len(recs), created, elapsed.Seconds(), float64(len(recs))/elapsed.Seconds())
	}
	qs, unique := makeKnownItemQueries(recs, sample, seed)
	f, err := os.Create(out)
	if err != nil {
		return diembao.Errorf(diembao.EINVALID, "cannot write the queries: %v", err)
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, q := range qs {
		if err := enc.Encode(q); err != nil {
			f.Close()
			return fmt.Errorf("eval search-data: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("eval search-data: %w", err)
	}
	fmt.Fprintf(app.Stdout, "Wrote %d queries from %d documents to %s (%d phrases occur in no other text)\n",
		len(qs), len(qs)/4, out, unique)
	return nil
}

// makeKnownItemQueries draws sample documents and makes four queries from a
// distinctive phrase of each. It also returns how many of the phrases occur
// in no other text of the corpus.
func makeKnownItemQueries(recs []vntcRecord, sample int, seed uint64) (qs []searchQuery, unique int) {
	// Documents with the same text are all relevant to its queries, and
	// count as one text when phrases are counted.
	textOf := make([]int, len(recs))
	index := map[[32]byte]int{}
	var texts []string
	var urls [][]string
	for i := range recs {
		h := sha256.Sum256([]byte(viet.Fold(strings.Join(strings.Fields(recs[i].Text), " "))))
		t, ok := index[h]
		if !ok {
			t = len(texts)
			index[h] = t
			texts = append(texts, recs[i].Text)
			urls = append(urls, nil)
		}
		textOf[i] = t
		urls[t] = append(urls[t], vntcURL(&recs[i]))
	}
	copies := make([]int, len(texts))
	for t := range urls {
		copies[t] = len(urls[t])
	}
	c := newPhraseCorpus(texts, copies)

	// Draw the documents and the length of their phrase first, then count
	// the candidate phrases of all of them in one pass over the corpus.
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var picked []int
	var cands [][]phraseWindow
	tried := map[int]bool{}
	for len(picked) < sample && len(tried) < len(recs) {
		i := rng.IntN(len(recs))
		if tried[i] {
			continue
		}
		tried[i] = true
		ws := phraseWindows(recs[i].Text, c.df, c.docs, 3+rng.IntN(4), phraseCandidates)
		if len(ws) == 0 {
			continue
		}
		picked = append(picked, i)
		cands = append(cands, ws)
	}
	c.countPhrases(cands)
	for k, i := range picked {
		w := rarestPhrase(cands[k])
		if w.others == 0 {
			unique++
		}
		words := w.words
		rel := urls[textOf[i]]
		drop := rng.IntN(len(words))
		dropped := append(append([]string(nil), words[:drop]...), words[drop+1:]...)
		qs = append(qs,
			searchQuery{Query: strings.Join(words, " "), Relevant: rel, Kind: "typed"},
			searchQuery{Query: viet.Fold(strings.Join(words, " ")), Relevant: rel, Kind: "folded"},
			searchQuery{Query: strings.Join(dropped, " "), Relevant: rel, Kind: "dropped"},
			searchQuery{Query: strings.Join(mistype(words, rng), " "), Relevant: rel, Kind: "tone"},
		)
	}
	return qs, unique
}

// maxPhrase is the longest phrase, in words, whose occurrences
// countPhrases counts.
const maxPhrase = 6

// phraseCandidates is how many windows of a drawn document, the best by the
// idf sum of their words, compete on how many other texts contain them.
const phraseCandidates = 20

// noWord stands in a phrase key for a word the corpus does not have.
const noWord = ^uint32(0)

// phraseKey is a phrase as the ids of its folded words, 0 after its end.
type phraseKey [maxPhrase]uint32

// phraseWindow is a candidate phrase of a document: a window of consecutive
// syllables or numbers within one line.
type phraseWindow struct {
	words  []string // as written
	folded []string // viet.Fold of each word
	score  float64  // sum of the inverse document frequencies of the words
	others int      // distinct texts, besides the document's own, that contain the phrase
}

// phraseCorpus is the corpus as the query generator sees it: the number of
// documents each folded word occurs in, and each distinct text as the
// sequence of its words (punctuation and symbols left out), folded and
// numbered, for counting the texts a phrase occurs in.
type phraseCorpus struct {
	df    map[string]int    // folded word → documents (copies included) containing it
	docs  int               // documents, copies included
	ids   map[string]uint32 // folded word → id, from 1
	texts [][]uint32        // distinct texts as word ids
}

// newPhraseCorpus reads the distinct texts of a corpus; copies[i] is the
// number of documents whose text is texts[i].
func newPhraseCorpus(texts []string, copies []int) *phraseCorpus {
	c := &phraseCorpus{ids: map[string]uint32{}, texts: make([][]uint32, len(texts))}
	df := []int{0}    // by id
	last := []int{-1} // by id: the last text counted in df
	var (
		toks []viet.Token
		buf  []byte
	)
	for ti, text := range texts {
		c.docs += copies[ti]
		toks = viet.AppendTokens(toks[:0], viet.Normalize(text))
		seq := make([]uint32, 0, len(toks))
		for _, t := range toks {
			if t.Kind == viet.Punct || t.Kind == viet.Symbol {
				continue
			}
			buf = viet.AppendFold(buf[:0], t.Text)
			id, ok := c.ids[string(buf)]
			if !ok {
				id = uint32(len(df))
				c.ids[string(buf)] = id
				df = append(df, 0)
				last = append(last, -1)
			}
			if last[id] != ti {
				last[id] = ti
				df[id] += copies[ti]
			}
			seq = append(seq, id)
		}
		c.texts[ti] = seq
	}
	c.df = make(map[string]int, len(c.ids))
	for w, id := range c.ids {
		c.df[w] = df[id]
	}
	return c
}

// key returns the phrase key of a sequence of folded words.
func (c *phraseCorpus) key(folded []string) phraseKey {
	var k phraseKey
	for i, w := range folded {
		if id, ok := c.ids[w]; ok {
			k[i] = id
		} else {
			k[i] = noWord
		}
	}
	return k
}

// countPhrases sets, for every window of every set, the number of distinct
// texts of the corpus other than the document's own that contain its folded
// word sequence. Each set's document must be one of the corpus texts. It
// reads every text once, looking up only the sequences that start with the
// first word of a window and have the length of one.
func (c *phraseCorpus) countPhrases(sets [][]phraseWindow) {
	slot := map[phraseKey]int{}
	var lens [maxPhrase + 1]bool
	starts := make([]bool, len(c.ids)+1)
	for _, ws := range sets {
		for _, w := range ws {
			k := c.key(w.folded)
			if _, ok := slot[k]; !ok {
				slot[k] = len(slot)
			}
			lens[len(w.folded)] = true
			if k[0] != noWord {
				starts[k[0]] = true
			}
		}
	}
	count := make([]int, len(slot))
	last := make([]int, len(slot))
	for ti, seq := range c.texts {
		for p, first := range seq {
			if !starts[first] {
				continue
			}
			var k phraseKey
			for m := 1; m <= maxPhrase && p+m <= len(seq); m++ {
				k[m-1] = seq[p+m-1]
				if !lens[m] {
					continue
				}
				if s, ok := slot[k]; ok && last[s] != ti+1 {
					last[s] = ti + 1
					count[s]++
				}
			}
		}
	}
	for _, ws := range sets {
		for j := range ws {
			// The document's own text is one of those counted.
			ws[j].others = max(count[slot[c.key(ws[j].folded)]]-1, 0)
		}
	}
}

// rarestPhrase returns the window that occurs in the fewest other texts,
// of windows ordered best idf sum first; ties go to the earlier window, so
// to the larger idf sum.
func rarestPhrase(ws []phraseWindow) phraseWindow {
	best := ws[0]
	for _, w := range ws[1:] {
		if w.others < best.others {
			best = w
		}
	}
	return best
}

// phraseWindows returns up to k windows of n consecutive syllables or
// numbers within one line of text, the largest sum of inverse document
// frequencies of their words first, earlier windows first on ties. df maps
// folded words to the number of the corpus's docs documents containing
// them.
func phraseWindows(text string, df map[string]int, docs, n, k int) []phraseWindow {
	text = viet.Normalize(text)
	toks := viet.Tokenize(text)
	type window struct {
		start int
		score float64
	}
	var windows []window
	for i := 0; i+n <= len(toks); i++ {
		score := 0.0
		ok := true
		for j := i; j < i+n; j++ {
			t := toks[j]
			if t.Kind != viet.Syllable && t.Kind != viet.Number || isOperatorWord(t.Text) {
				ok = false
				break
			}
			if j > i && strings.ContainsAny(text[toks[j-1].End:t.Start], "\n") {
				ok = false
				break
			}
			score += math.Log(float64(docs) / float64(1+df[viet.Fold(t.Text)]))
		}
		if ok {
			windows = append(windows, window{i, score})
		}
	}
	sort.SliceStable(windows, func(i, j int) bool { return windows[i].score > windows[j].score })
	out := make([]phraseWindow, 0, min(k, len(windows)))
	for _, w := range windows[:min(k, len(windows))] {
		pw := phraseWindow{score: w.score, words: make([]string, 0, n), folded: make([]string, 0, n)}
		for j := w.start; j < w.start+n; j++ {
			pw.words = append(pw.words, toks[j].Text)
			pw.folded = append(pw.folded, viet.Fold(toks[j].Text))
		}
		out = append(out, pw)
	}
	return out
}

func isOperatorWord(s string) bool { return s == "AND" || s == "OR" || s == "NOT" }

// toneRows lists each Vietnamese vowel with its five tone marks: none,
// grave, acute, hook, tilde, dot below.
var toneRows = [...]string{
	"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
	"oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
}

// toneOf finds the row and tone of a lower-case vowel, or ok=false.
func toneOf(r rune) (row, tone int, ok bool) {
	for i, s := range toneRows {
		j := 0
		for _, v := range s {
			if v == r {
				return i, j, true
			}
			j++
		}
	}
	return 0, 0, false
}

// mistype returns words with the tone of one syllable changed: a marked
// syllable gets another mark, or, when none is marked, a vowel gets one.
func mistype(words []string, rng *rand.Rand) []string {
	out := append([]string(nil), words...)
	type spot struct{ word, pos, row, tone int }
	var marked, vowels []spot
	for wi, w := range words {
		lw := strings.ToLower(w)
		if len(lw) != len(w) {
			continue
		}
		for pos, r := range lw {
			if row, tone, ok := toneOf(r); ok {
				s := spot{wi, pos, row, tone}
				if tone > 0 {
					marked = append(marked, s)
				} else {
					vowels = append(vowels, s)
				}
			}
		}
	}
	pool := marked
	if len(pool) == 0 {
		pool = vowels
	}
	if len(pool) == 0 {
		return out
	}
	s := pool[rng.IntN(len(pool))]
	tone := 1 + rng.IntN(5)
	for tone == s.tone {
		tone = 1 + rng.IntN(5)
	}
	row := []rune(toneRows[s.row])
	w := out[s.word]
	_, size := utf8.DecodeRuneInString(w[s.pos:])
	repl := string(row[tone])
	if r, _ := utf8.DecodeRuneInString(w[s.pos:]); r != []rune(strings.ToLower(string(r)))[0] {
		repl = strings.ToUpper(repl)
	}
	out[s.word] = w[:s.pos] + repl + w[s.pos+size:]
	return out
}
