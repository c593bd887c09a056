// Package vntc reads the VNTC corpus of Vietnamese news (JSON lines, one
// document per line, optionally gzipped) that the evaluation commands and
// benchmarks use, and recombines its paragraphs into articles of realistic
// size for scale benchmarks. The corpus is evaluation data kept beside the
// repository, never in it.
package vntc

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/diembao/diembao"
)

// Record is one document of the corpus.
type Record struct {
	Label  string `json:"label"`
	File   string `json:"file"`
	Source string `json:"source"`
	Text   string `json:"text"`
}

// Read reads the documents of the corpus file at path (".gz" is
// decompressed), leaving out documents without text.
func Read(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vntc: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("vntc: %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	var list []Record
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("vntc: %s:%d: %w", path, line, err)
		}
		rec.Source = strings.TrimSpace(rec.Source)
		if strings.TrimSpace(rec.Text) != "" {
			list = append(list, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("vntc: %s: %w", path, err)
	}
	return list, nil
}

// Sources are the outlet names of generated articles.
var Sources = []string{
	"VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân trí", "VietnamNet", "Nhân Dân", "Báo Chính phủ",
	"VOV", "Lao Động", "Người Lao Động", "Tiền Phong", "Báo Hà Nam",
}

// Generator makes articles from the corpus's paragraphs: new articles of
// the corpus's own mix of lengths and topics, under new URLs.
type Generator struct {
	// Paragraphs are the corpus's paragraphs of at least 40 bytes.
	Paragraphs []string
	lengths    []int
	labels     []string
	base       string
	// PerDay, when positive, dates articles as a crawler stores them: article
	// i is published on day i/PerDay from 2016-01-01 (at a random time of
	// that day), except one in twenty, found late, published up to 30 days
	// before. When zero, every article gets a random time in 2016–2025, so
	// that the IDs of an archive say nothing of its dates.
	PerDay int
}

// CrawlPerDay is the PerDay of an archive of a million articles spread
// over the ten years random dates span.
const CrawlPerDay = 274

// NewGenerator returns a generator of articles from recs whose URLs start
// with base ("https://scale.example/a/").
func NewGenerator(recs []Record, base string) *Generator {
	g := &Generator{base: base}
	for _, r := range recs {
		g.lengths = append(g.lengths, len(r.Text))
		g.labels = append(g.labels, r.Label)
		for _, line := range strings.Split(r.Text, "\n") {
			if line = strings.TrimSpace(line); len(line) >= 40 {
				g.Paragraphs = append(g.Paragraphs, line)
			}
		}
	}
	return g
}

// Article generates article i: paragraphs of random documents up to the
// length of another random document, a title from the start of a
// paragraph, a random outlet, topic and publication time (see PerDay). The
// same seed and i give the same article.
func (g *Generator) Article(seed uint64, i int) *diembao.Article {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	a := &diembao.Article{
		URL:        g.base + strconv.Itoa(i),
		SourceName: Sources[rng.IntN(len(Sources))],
		Section:    g.labels[rng.IntN(len(g.labels))],
		Language:   "vi",
	}
	words := strings.Fields(g.Paragraphs[rng.IntN(len(g.Paragraphs))])
	a.Title = strings.Join(words[:min(len(words), 8+rng.IntN(7))], " ")
	target := g.lengths[rng.IntN(len(g.lengths))]
	for n := 0; n < target || len(a.Body) == 0; {
		p := g.Paragraphs[rng.IntN(len(g.Paragraphs))]
		a.Body = append(a.Body, diembao.Paragraph{Text: p})
		n += len(p)
	}
	start := time.Date(2016, 1, 1, 0, 0, 0, 0, diembao.Vietnam)
	const day = 24 * time.Hour
	at := time.Duration(rng.Int64N(int64(10 * 365 * day)))
	if g.PerDay > 0 {
		at = time.Duration(i/g.PerDay)*day + time.Duration(rng.Int64N(int64(day)))
		if rng.IntN(20) == 0 {
			at -= time.Duration(rng.Int64N(int64(30 * day)))
		}
	}
	a.Published = start.Add(at).Truncate(time.Minute)
	a.PublishedPrecision = diembao.PrecisionMinute
	return a
}
