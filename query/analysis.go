package query

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// Analyzer turns text into the tokens the index holds and queries look
// for. Every backend indexes Analyzer.Document and compiles trees prepared
// by Analyzer.Prepare, so that the same query finds the same articles
// everywhere. An Analyzer is safe for concurrent use.
//
// A token is a run of letters and digits of the Normalize-d text in lower
// case (punctuation splits "13/01/2020" into 13, 01, 2020 and "TP.HCM" into
// tp, hcm); its folded form has no diacritics (viet.Fold). A segmented
// multi-syllable word is its syllable tokens joined by "_" ("hà_nội").
type Analyzer struct {
	// seg groups syllables into words; nil indexes no words.
	seg  *viet.Segmenter
	pool sync.Pool
}

var defaultAnalyzer = sync.OnceValue(func() *Analyzer { return NewAnalyzer(viet.DefaultSegmenter()) })

// DefaultAnalyzer returns the shared analyzer with viet's default word
// segmenter.
func DefaultAnalyzer() *Analyzer { return defaultAnalyzer() }

// NewAnalyzer returns an analyzer that groups syllables into words with
// seg; a nil seg indexes no words.
func NewAnalyzer(seg *viet.Segmenter) *Analyzer {
	return &Analyzer{seg: seg}
}

// Document is the analysis of one article: space-separated tokens for each
// indexed column. Title and Body hold exact tokens, TitleFolded and
// BodyFolded the same tokens folded; Words and WordsFolded the segmented
// multi-syllable words of title and text; Author, Source and Section their
// exact tokens followed by their folded tokens (see Analyzer.Field).
type Document struct {
	Title, TitleFolded string
	Body, BodyFolded   string
	Words, WordsFolded string
	Author             string
	Source             string
	Section            string
}

// scratch holds reusable buffers of one analysis.
type scratch struct {
	toks          []viet.Token
	words         []viet.Word
	exact         []string
	first         []int
	exactB, foldB []byte
	wordB, wordF  []byte
}

func (a *Analyzer) get() *scratch {
	if s, ok := a.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

// Document analyses an article: the title; the sapo, body paragraphs and
// captions as the text; the author, source name and section.
func (a *Analyzer) Document(art *diembao.Article) Document {
	s := a.get()
	defer a.pool.Put(s)
	var d Document
	s.wordB, s.wordF = s.wordB[:0], s.wordF[:0]
	d.Title, d.TitleFolded = a.column(s, art.Title)
	var text strings.Builder
	text.WriteString(art.Sapo)
	for _, p := range art.Body {
		text.WriteString("\n\n")
		text.WriteString(p.Text)
	}
	for _, c := range art.Captions {
		text.WriteString("\n\n")
		text.WriteString(c)
	}
	d.Body, d.BodyFolded = a.column(s, text.String())
	d.Words, d.WordsFolded = string(s.wordB), string(s.wordF)
	d.Author = a.Field(art.Author)
	d.Source = a.Field(art.SourceName)
	d.Section = a.Field(art.Section)
	return d
}

// Field returns the index form of a short field (author, source, section):
// its exact tokens followed by its folded tokens, so that a phrase matches
// in either form.
func (a *Analyzer) Field(text string) string {
	if text == "" {
		return ""
	}
	s := a.get()
	defer a.pool.Put(s)
	exact, folded := a.column(s, text)
	if folded == exact {
		return exact
	}
	return exact + " " + folded
}

// Tokens returns the exact and folded tokens of text.
func (a *Analyzer) Tokens(text string) (exact, folded []string) {
	s := a.get()
	defer a.pool.Put(s)
	s.exact, _ = appendTokens(s.exact[:0], s.first[:0], &s.toks, viet.Normalize(text))
	exact = append([]string(nil), s.exact...)
	folded = make([]string, len(exact))
	for i, t := range exact {
		folded[i] = viet.Fold(t)
	}
	return exact, folded
}

// Words returns the segmented multi-syllable words of text as index tokens
// (lower-case syllables joined by "_").
func (a *Analyzer) Words(text string) []string {
	if a.seg == nil {
		return nil
	}
	s := a.get()
	defer a.pool.Put(s)
	s.wordB, s.wordF = s.wordB[:0], s.wordF[:0]
	a.column(s, text)
	if len(s.wordB) == 0 {
		return nil
	}
	return strings.Split(string(s.wordB), " ")
}

// column analyses text into space-separated exact and folded tokens and
// appends its segmented words to s.wordB and s.wordF.
func (a *Analyzer) column(s *scratch, text string) (exact, folded string) {
	if text == "" {
		return "", ""
	}
	norm := viet.Normalize(text)
	s.exact, s.first = appendTokens(s.exact[:0], s.first[:0], &s.toks, norm)
	s.exactB, s.foldB = s.exactB[:0], s.foldB[:0]
	for i, t := range s.exact {
		if i > 0 {
			s.exactB = append(s.exactB, ' ')
			s.foldB = append(s.foldB, ' ')
		}
		s.exactB = append(s.exactB, t...)
		s.foldB = viet.AppendFold(s.foldB, t)
	}
	if a.seg != nil {
		s.words = a.seg.AppendWords(s.words[:0], norm, s.toks)
		for _, w := range s.words {
			if w.Last-w.First < 2 {
				continue
			}
			if len(s.wordB) > 0 {
				s.wordB = append(s.wordB, ' ')
				s.wordF = append(s.wordF, ' ')
			}
			for k := w.First; k < w.Last; k++ {
				if k > w.First {
					s.wordB = append(s.wordB, '_')
					s.wordF = append(s.wordF, '_')
				}
				tok := s.exact[s.first[k]]
				s.wordB = append(s.wordB, tok...)
				s.wordF = viet.AppendFold(s.wordF, tok)
			}
		}
	}
	return string(s.exactB), string(s.foldB)
}

// appendTokens appends the exact tokens of the normalized text norm to dst:
// its letter and digit runs in lower case. Punctuation and symbols make no
// token. first receives, for each viet token of *toks, the index in dst of
// its first run.
func appendTokens(dst []string, first []int, toks *[]viet.Token, norm string) ([]string, []int) {
	*toks = viet.AppendTokens((*toks)[:0], norm)
	for _, t := range *toks {
		first = append(first, len(dst))
		switch t.Kind {
		case viet.Punct, viet.Symbol:
			continue
		}
		dst = appendRuns(dst, t.Text)
	}
	return dst, first
}

// appendRuns appends the lower-cased letter-and-digit runs of s to dst.
func appendRuns(dst []string, s string) []string {
	start := -1
	simple := true
	for i := 0; i <= len(s); {
		var r rune
		size := 1
		if i < len(s) {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		word := i < len(s) && isTokenRune(r)
		switch {
		case word && start < 0:
			start, simple = i, true
		case !word && start >= 0:
			dst = append(dst, lower(s[start:i], simple))
			start = -1
		}
		if word && (r >= utf8.RuneSelf || r >= 'A' && r <= 'Z') {
			simple = false
		}
		i += size
	}
	return dst
}

func lower(s string, simple bool) string {
	if simple {
		return s
	}
	return strings.ToLower(s)
}

func isTokenRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

// hasDiacritics reports whether a lower-case token differs from its
// folded form.
func hasDiacritics(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] >= utf8.RuneSelf {
			return viet.Fold(tok) != tok
		}
	}
	return false
}
