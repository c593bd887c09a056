package demosite

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// seedDir holds the captured seed page and what a correct pipeline knows
// about it; it sits beside the repository and is absent from a fresh
// checkout.
const seedDir = "../../../shared/fixtures/seed"

// seedExpected is the part of expected.json the demo page is built on.
type seedExpected struct {
	Title        string `json:"title"`
	PageDate     string `json:"page_date"`
	PageDateText string `json:"page_date_text"`
	EventDate    string `json:"event_date"`
	Dateline     string `json:"event_dateline"`
	SapoStarts   string `json:"sapo_starts"`
	Caption      string `json:"caption"`
	BodyParas    int    `json:"body_paragraphs"`
	BodyLast     string `json:"body_last_starts"`
	Attribution  struct {
		Kind   string `json:"kind"`
		Outlet string `json:"outlet"`
	} `json:"attribution"`
	Boilerplate []string `json:"boilerplate_not_in_body"`
	People      []struct {
		Name   string   `json:"name"`
		Titles []string `json:"titles"`
	} `json:"people"`
	Organisations []string `json:"organisations"`
	Legal         []struct {
		Type   string `json:"type"`
		Number string `json:"number"`
		Date   string `json:"date"`
	} `json:"legal_references"`
	Abbreviations map[string]string `json:"abbreviations"`
	Queries       []string          `json:"queries_that_must_find_it"`
}

// readSeed reads expected.json and the captured text, skipping the test
// when the seed is absent.
func readSeed(t *testing.T) (seedExpected, string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(seedDir, "expected.json"))
	if os.IsNotExist(err) {
		t.Skipf("seed fixture %s is absent; skipping", seedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var exp seedExpected
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatalf("expected.json: %v", err)
	}
	txts, _ := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	if len(txts) != 1 {
		t.Fatalf("want one captured .txt in %s, found %d", seedDir, len(txts))
	}
	captured, err := os.ReadFile(txts[0])
	if err != nil {
		t.Fatal(err)
	}
	return exp, string(captured)
}

func TestSeedPage(t *testing.T) {
	exp, captured := readSeed(t)
	s := startSite(t)
	var seeds []Article
	for _, a := range s.Articles() {
		if a.Seed {
			seeds = append(seeds, a)
		}
	}
	if len(seeds) != 1 {
		t.Fatalf("%d seed pages, want 1", len(seeds))
	}
	a := seeds[0]

	t.Run("gold", func(t *testing.T) {
		if a.Title != exp.Title {
			t.Errorf("title %q, want %q", a.Title, exp.Title)
		}
		if got := a.PageDate.Format("2006-01-02"); got != exp.PageDate {
			t.Errorf("page date %s, want %s", got, exp.PageDate)
		}
		if got := a.Published.Format("2006-01-02"); got != exp.EventDate {
			t.Errorf("published %s, want %s", got, exp.EventDate)
		}
		if !strings.HasPrefix(a.Sapo, exp.SapoStarts) || !strings.HasPrefix(a.Sapo, exp.Dateline) {
			t.Errorf("sapo %q does not start with %q", a.Sapo, exp.SapoStarts)
		}
		if len(a.Captions) != 1 || a.Captions[0] != exp.Caption {
			t.Errorf("captions %q, want [%q]", a.Captions, exp.Caption)
		}
		if len(a.Body) != exp.BodyParas {
			t.Fatalf("%d body paragraphs, want %d", len(a.Body), exp.BodyParas)
		}
		if last := a.Body[len(a.Body)-1].Text; !strings.HasPrefix(last, exp.BodyLast) {
			t.Errorf("last paragraph %q does not start with %q", last, exp.BodyLast)
		}
		if a.Attribution == nil || a.Attribution.Kind != exp.Attribution.Kind || a.Attribution.Outlet != exp.Attribution.Outlet {
			t.Errorf("attribution %+v, want %+v", a.Attribution, exp.Attribution)
		}
		clean := a.Text()
		for _, b := range exp.Boilerplate {
			if strings.Contains(clean, b) {
				t.Errorf("clean text holds boilerplate %q", b)
			}
		}
		if n := strings.Count(clean, a.Sapo); n != 1 {
			t.Errorf("clean text holds the lead %d times, want 1", n)
		}
	})

	_, body := get(t, a.URL)
	text := visibleText(string(body))

	t.Run("structure", func(t *testing.T) {
		if n := strings.Count(text, a.Sapo); n != 2 {
			t.Errorf("page prints the lead %d times, want 2 (summary and top of the body)", n)
		}
		// The page reads in the captured order: header date, headline,
		// lead, lead again, caption, the four paragraphs, attribution,
		// "Các tin khác" with its list.
		order := []string{exp.PageDateText, exp.Title, a.Sapo, a.Sapo, exp.Caption}
		for _, p := range a.Body {
			order = append(order, p.Text)
		}
		order = append(order, "Nguồn "+exp.Attribution.Outlet, "Các tin khác")
		pos := 0
		for _, w := range order {
			i := strings.Index(text[pos:], w)
			if i < 0 {
				t.Fatalf("after byte %d the page lacks %q", pos, w)
			}
			pos += i + len(w)
		}
		if rest := strings.TrimSpace(text[pos:]); len(strings.Split(rest, "\n")) < 3 {
			t.Errorf("no list after \"Các tin khác\": %q", rest)
		}
	})

	t.Run("entities", func(t *testing.T) {
		var want []string
		for _, p := range exp.People {
			want = append(want, p.Name)
			want = append(want, p.Titles...)
		}
		want = append(want, exp.Organisations...)
		for _, l := range exp.Legal {
			want = append(want, l.Type+" "+l.Number, l.Date[8:10]+"/"+l.Date[5:7]+"/"+l.Date[:4])
		}
		for abbr, full := range exp.Abbreviations {
			want = append(want, abbr, full)
		}
		for _, q := range exp.Queries {
			if q = strings.Trim(q, `"`); strings.ContainsFunc(q, func(r rune) bool { return r > 0x7f }) {
				want = append(want, q)
			}
		}
		folded := strings.ToLower(text)
		for _, w := range want {
			if !strings.Contains(folded, strings.ToLower(w)) {
				t.Errorf("page lacks %q", w)
			}
		}
	})

	t.Run("body written for diembao", func(t *testing.T) {
		// The captured body paragraphs are the lines between the caption
		// and the attribution; no run of ten words of them may appear in
		// the demo's body.
		lines := strings.Split(captured, "\n")
		var seedBody []string
		in := false
		for _, l := range lines {
			l = strings.Join(strings.Fields(l), " ") // the capture has no-break spaces
			switch {
			case l == exp.Caption:
				in = true
			case strings.HasPrefix(l, "Nguồn "):
				in = false
			case in && l != "":
				seedBody = append(seedBody, l)
			}
		}
		if len(seedBody) == 0 {
			t.Fatal("found no body in the captured text")
		}
		ours := shingles(a.BodyText(), 10)
		for sh := range shingles(strings.Join(seedBody, "\n"), 10) {
			if ours[sh] {
				t.Errorf("the demo body repeats the captured words %q", sh)
			}
		}
	})
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// shingles returns the runs of n consecutive lower-cased words of s.
func shingles(s string, n int) map[string]bool {
	words := wordRE.FindAllString(strings.ToLower(s), -1)
	out := map[string]bool{}
	for i := 0; i+n <= len(words); i++ {
		out[strings.Join(words[i:i+n], " ")] = true
	}
	return out
}
