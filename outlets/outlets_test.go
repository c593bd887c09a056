package outlets

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/diembao/diembao"
)

func TestDefault(t *testing.T) {
	srcs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]diembao.Source{}
	feeds := map[string]string{}
	for _, s := range srcs {
		byName[s.Name] = s
		if s.Enabled && len(s.Feeds) == 0 {
			t.Errorf("%s is enabled with no feed", s.Name)
		}
		if s.Kind == diembao.KindProvincial && s.Province == "" {
			t.Errorf("provincial %s has no province", s.Name)
		}
		if len(s.Collections) == 0 {
			t.Errorf("%s belongs to no collection", s.Name)
		}
		for _, f := range s.Feeds {
			if other, ok := feeds[f]; ok {
				t.Errorf("feed %s listed by %s and %s", f, other, s.Name)
			}
			feeds[f] = s.Name
		}
	}
	tests := []struct {
		name    string
		kind    diembao.SourceKind
		enabled bool
	}{
		{"VnExpress", diembao.KindNational, true},
		{"Tuổi Trẻ", diembao.KindNational, true},
		{"Thanh Niên", diembao.KindNational, true},
		{"Dân trí", diembao.KindNational, true},
		{"VietNamNet", diembao.KindNational, true},
		{"Nhân Dân", diembao.KindParty, true},
		{"Báo Điện tử Chính phủ", diembao.KindNational, true},
		{"VOV (Báo điện tử VOV)", diembao.KindNational, true},
		{"Người Lao Động", diembao.KindNational, true},
		{"Tiền Phong", diembao.KindNational, true},
		{"VietnamPlus (TTXVN)", diembao.KindAgency, true},
		{"Báo Tin tức (TTXVN)", diembao.KindAgency, true},
		// Reported behind a JavaScript cookie challenge.
		{"Lao Động", diembao.KindNational, false},
		// No feed known.
		{"Báo Hà Nam", diembao.KindProvincial, false},
		// Seen only in a generated list of identical provincial paths.
		{"Báo Nam Định", diembao.KindProvincial, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := byName[tt.name]
			if !ok {
				t.Fatalf("%s is not in the default list", tt.name)
			}
			if s.Kind != tt.kind || s.Enabled != tt.enabled {
				t.Errorf("%s: kind %s enabled %v, want %s %v", tt.name, s.Kind, s.Enabled, tt.kind, tt.enabled)
			}
		})
	}
	if p := byName["Báo Hà Nam"].Province; p != "Hà Nam" {
		t.Errorf("Báo Hà Nam province %q", p)
	}
}

// evidenceFile is the compiled evidence the default list is built from; it
// sits beside the repository and is absent from a fresh checkout.
const evidenceFile = "../../shared/data/sources/vn-outlets.tsv"

func TestDefaultFollowsEvidence(t *testing.T) {
	f, err := os.Open(evidenceFile)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent; skipping", evidenceFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type row struct{ name, feed, evidence string }
	var rows []row
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 7 {
			continue
		}
		rows = append(rows, row{cols[0], cols[2], cols[6]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	srcs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	enabledFeeds := map[string]bool{}
	names := map[string]bool{}
	for _, s := range srcs {
		names[s.Name] = true
		for _, u := range s.Feeds {
			if s.Enabled {
				enabledFeeds[u] = true
			}
		}
	}
	evidence := map[string]string{}
	for _, r := range rows {
		if !names[r.name] {
			t.Errorf("outlet %s of the evidence is not in the default list", r.name)
		}
		if r.feed != "" {
			evidence[r.feed] = r.evidence
		}
	}
	for u := range enabledFeeds {
		ev, ok := evidence[u]
		switch {
		case !ok:
			t.Errorf("enabled feed %s has no evidence", u)
		case strings.Contains(ev, "[pattern-list"), strings.Contains(ev, "[reported-problem"):
			t.Errorf("enabled feed %s has weak evidence: %s", u, ev)
		case !strings.Contains(ev, "[fetched-items") && !strings.Contains(ev, "[live-verified") && !strings.Contains(ev, "[config"):
			t.Errorf("enabled feed %s lacks fetched, live or config evidence: %s", u, ev)
		}
	}
}

func TestWriteDefault(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDefault(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "# diembao's default sources") {
		t.Error("the written default list lost its header comment")
	}
	got, err := Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Default()
	if !reflect.DeepEqual(got, want) {
		t.Error("the written default list parses to other sources")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	srcs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	srcs = append(srcs, diembao.Source{
		Name:     `Trang "thử" \ nghiệm`,
		Homepage: "http://127.0.0.1:8080/",
		Kind:     diembao.KindOther,
		Feeds:    []string{},
		Sitemaps: []string{"http://127.0.0.1:8080/sitemap.xml"},
		Enabled:  false,
	})
	var b bytes.Buffer
	if err := Write(&b, srcs); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(&b)
	if err != nil {
		t.Fatalf("Parse(Write(…)): %v\n%s", err, b.String())
	}
	if !reflect.DeepEqual(got, srcs) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got[len(got)-1], srcs[len(srcs)-1])
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []diembao.Source
	}{
		{"empty", "", []diembao.Source{}},
		{"comments only", "# nothing yet\n", []diembao.Source{}},
		{
			"enabled omitted, spaces trimmed, repeats dropped",
			"\ufeff[[source]]\nname = \" Báo A \"\nhomepage = \"https://a.example/\"\nkind = \"provincial\"\nprovince = \"Hà Nam\"\n" +
				"collections = [\"provincial\", \"provincial\", \"của tôi\"]\nfeeds = [\"https://a.example/rss\", \" https://a.example/rss \"]\n",
			[]diembao.Source{{
				Name: "Báo A", Homepage: "https://a.example/", Kind: diembao.KindProvincial, Province: "Hà Nam",
				Collections: []string{"provincial", "của tôi"}, Feeds: []string{"https://a.example/rss"}, Sitemaps: []string{}, Enabled: true,
			}},
		},
		{
			"disabled",
			"[[source]]\nname = \"B\"\nhomepage = \"http://b.example\"\nkind = \"other\"\nenabled = false\nfeeds = []\n",
			[]diembao.Source{{Name: "B", Homepage: "http://b.example", Kind: diembao.KindOther, Feeds: []string{}, Sitemaps: []string{}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const ok = "[[source]]\nname = \"A\"\nhomepage = \"https://a.example\"\nkind = \"national\"\nfeeds = [\"https://a.example/rss\"]\n"
	tests := []struct {
		name, in string
		line     int
		field    string
		msg      string
	}{
		{"syntax", "[[source]]\nname = \"A\" \"B\"\n", 2, "", "expected"},
		{"missing name", "[[source]]\nhomepage = \"https://a.example\"\nkind = \"national\"\n", 1, "name", "missing"},
		{"twice", ok + "\n" + strings.Replace(ok, `"A"`, `"a"`, 1), 8, "name", "listed twice"},
		{"missing homepage", "[[source]]\nname = \"A\"\nkind = \"national\"\n", 1, "homepage", "missing"},
		{"ftp homepage", strings.Replace(ok, "https://a.example\"", "ftp://a.example\"", 1), 3, "homepage", "not an http or https"},
		{"homepage without host", strings.Replace(ok, "https://a.example\"", "https://\"", 1), 3, "homepage", "no host"},
		{"relative homepage", strings.Replace(ok, "https://a.example\"", "a.example\"", 1), 3, "homepage", "not an http or https"},
		{"password in feed", strings.Replace(ok, "https://a.example/rss", "https://u:p@a.example/rss", 1), 5, "feeds[0]", "user name or password"},
		{"missing kind", "[[source]]\nname = \"A\"\nhomepage = \"https://a.example\"\n", 1, "kind", "missing"},
		{"unknown kind", strings.Replace(ok, "national", "nationl", 1), 4, "kind", `"nationl" is not one of`},
		{"bad second feed", strings.Replace(ok, `["https://a.example/rss"]`, `["https://a.example/rss", "rss.xml"]`, 1), 5, "feeds[1]", `"rss.xml"`},
		{"bad sitemap", ok + "sitemaps = [\"\"]\n", 6, "sitemaps[0]", "is empty"},
		{"unknown key", ok + "feed = \"https://a.example/x\"\n", 6, "feed", "unknown key"},
		{"top-level key", "version = 1\n" + ok, 1, "version", "only [[source]] tables"},
		{"enabled as text", ok + "enabled = \"yes\"\n", 6, "enabled", "incompatible types"},
		{"empty collection", ok + "collections = [\"x\", \" \"]\n", 6, "collections[1]", "empty collection"},
		{"control character", strings.Replace(ok, `"A"`, `"A\u0007"`, 1), 2, "name", "control character"},
		{"not UTF-8", "[[source]]\nname = \"\xff\"\n", 0, "", "not UTF-8"},
		{"too large", strings.Repeat("#", MaxFileSize+1), 0, "", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse error %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.Field != tt.field || !strings.Contains(pe.Msg, tt.msg) {
				t.Errorf("got line %d field %q msg %q, want line %d field %q msg containing %q", pe.Line, pe.Field, pe.Msg, tt.line, tt.field, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "outlets: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(defaultFile))
	f.Add([]byte("[[source]]\nname = \"A\"\nhomepage = \"https://a.example\"\nkind = \"national\"\nfeeds = [\"https://a.example/rss\"]\n"))
	f.Add([]byte("[[source]]\nname = \"A\"\n[[source]]\nname = \"A\"\n"))
	f.Add([]byte("source = [{name = \"A\", homepage = \"http://a\", kind = \"other\"}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		srcs, err := Parse(bytes.NewReader(data))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		var b bytes.Buffer
		if err := Write(&b, srcs); err != nil {
			t.Fatalf("Write: %v", err)
		}
		again, err := Parse(&b)
		if err != nil {
			t.Fatalf("Parse(Write(…)): %v\n%s", err, b.String())
		}
		if !reflect.DeepEqual(again, srcs) {
			t.Fatalf("round trip differs:\n%+v\n%+v", again, srcs)
		}
	})
}

func BenchmarkParseDefault(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(defaultFile)))
	for b.Loop() {
		if _, err := Parse(strings.NewReader(defaultFile)); err != nil {
			b.Fatal(err)
		}
	}
}
