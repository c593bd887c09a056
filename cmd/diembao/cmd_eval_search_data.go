package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
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
	"github.com/diembao/diembao/viet"
)

// vntcRecord is one line of the VNTC JSONL corpus.
type vntcRecord struct {
	Label  string `json:"label"`
	File   string `json:"file"`
	Source string `json:"source"`
	Text   string `json:"text"`
}

// vntcSourceNames names the outlets of the VNTC source codes.
var vntcSourceNames = map[string]string{
	"VNE": "VnExpress", "TT": "Tuổi Trẻ", "TN": "Thanh Niên", "NLD": "Người Lao Động",
}

// readVNTC reads a VNTC JSONL file (gzip-compressed when it ends in .gz).
func readVNTC(path string) ([]vntcRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "cannot read the corpus: %v", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, diembao.Errorf(diembao.EINVALID, "%s: %v", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var list []vntcRecord
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var rec vntcRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, diembao.Errorf(diembao.EINVALID, "%s:%d: %v", path, line, err)
		}
		rec.Source = strings.TrimSpace(rec.Source)
		if strings.TrimSpace(rec.Text) != "" {
			list = append(list, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, diembao.Errorf(diembao.EINVALID, "%s: %v", path, err)
	}
	return list, nil
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
3 to 6 words (the window of one sentence whose words are rarest in the
corpus)
and writes four queries, each with the document's URL (and those of documents
with the same text) as relevant:
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
	qs := makeKnownItemQueries(recs, sample, seed)
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
	fmt.Fprintf(app.Stdout, "Wrote %d queries from %d documents to %s\n", len(qs), len(qs)/4, out)
	return nil
}

// makeKnownItemQueries draws sample documents and makes four queries from a
// distinctive phrase of each.
func makeKnownItemQueries(recs []vntcRecord, sample int, seed uint64) []searchQuery {
	// Documents with the same text are all relevant to its queries.
	byText := map[[32]byte][]string{}
	df := map[string]int{}
	for i := range recs {
		h := sha256.Sum256([]byte(viet.Fold(strings.Join(strings.Fields(recs[i].Text), " "))))
		byText[h] = append(byText[h], vntcURL(&recs[i]))
		seen := map[string]bool{}
		for _, t := range viet.Tokenize(recs[i].Text) {
			if k := viet.Fold(t.Text); !seen[k] {
				seen[k] = true
				df[k]++
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var qs []searchQuery
	tried := map[int]bool{}
	for len(qs) < 4*sample && len(tried) < len(recs) {
		i := rng.IntN(len(recs))
		if tried[i] {
			continue
		}
		tried[i] = true
		words := distinctivePhrase(recs[i].Text, df, len(recs), 3+rng.IntN(4))
		if words == nil {
			continue
		}
		h := sha256.Sum256([]byte(viet.Fold(strings.Join(strings.Fields(recs[i].Text), " "))))
		rel := byText[h]
		drop := rng.IntN(len(words))
		dropped := append(append([]string(nil), words[:drop]...), words[drop+1:]...)
		qs = append(qs,
			searchQuery{Query: strings.Join(words, " "), Relevant: rel, Kind: "typed"},
			searchQuery{Query: viet.Fold(strings.Join(words, " ")), Relevant: rel, Kind: "folded"},
			searchQuery{Query: strings.Join(dropped, " "), Relevant: rel, Kind: "dropped"},
			searchQuery{Query: strings.Join(mistype(words, rng), " "), Relevant: rel, Kind: "tone"},
		)
	}
	return qs
}

// distinctivePhrase returns the most distinctive window of n consecutive
// syllables or numbers within one sentence of text: the one whose words are
// rarest in the corpus (largest sum of inverse document frequencies, as in
// simulated known-item queries), or nil.
func distinctivePhrase(text string, df map[string]int, docs, n int) []string {
	toks := viet.Tokenize(viet.Normalize(text))
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
	if len(windows) == 0 {
		return nil
	}
	sort.SliceStable(windows, func(i, j int) bool { return windows[i].score > windows[j].score })
	w := windows[0]
	words := make([]string, 0, n)
	for j := w.start; j < w.start+n; j++ {
		words = append(words, toks[j].Text)
	}
	return words
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
