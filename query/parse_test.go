package query

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/diembao/diembao"
)

// testNow is the clock of the parser tests: 20 January 2020, noon in
// Vietnam.
var testNow = time.Date(2020, 1, 20, 12, 0, 0, 0, diembao.Vietnam)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, diembao.Vietnam)
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want string // the canonical form (Node.String)
	}{
		{"hà nội", "hà AND nội"},
		{"  Hà   Nội  ", "Hà AND Nội"},
		{`"nền tảng tư tưởng"`, `"nền tảng tư tưởng"`},
		{"a OR b", "a OR b"},
		{"a b OR c", "(a AND b) OR c"},
		{"a AND b OR c AND d", "(a AND b) OR (c AND d)"},
		{"a (b OR c)", "a AND (b OR c)"},
		{"NOT a b", "NOT a AND b"},
		{"a -b", "a AND NOT b"},
		{"a -(b OR c)", "a AND NOT (b OR c)"},
		{`a -"b c"`, `a AND NOT "b c"`},
		{"+a b", "a AND b"},
		{"covid-19", "covid-19"},
		{"title:bão", "title:bão"},
		{`source:"Báo Hà Nam"`, `source:"Báo Hà Nam"`},
		{"author:(Lan OR Hà)", "author:Lan OR author:Hà"},
		{"section:thể-thao", "section:thể-thao"},
		{"chuyển*", "chuyển*"},
		{`"chuyển đổi"*`, `"chuyển đổi"*`},
		{"unknown:field", "unknown:field"},
		{"10:30", "10:30"},
		{"and or not", "and AND or AND not"},
		{"ORacle ANDroid", "ORacle AND ANDroid"},
		{"HĐND", "HĐND"},
		{"(((a)))", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := n.String(); got != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		in       string
		from, to time.Time
	}{
		{"published:[2020-01-01 TO 2020-01-31]", day(2020, 1, 1), day(2020, 2, 1)},
		{"published:{2020-01-01 TO 2020-01-31}", day(2020, 1, 2), day(2020, 1, 31)},
		{"published:[2020-01 TO *]", day(2020, 1, 1), time.Time{}},
		{"published:[* TO 2019]", time.Time{}, day(2020, 1, 1)},
		{"published:2020-01-13", day(2020, 1, 13), day(2020, 1, 14)},
		{"published:>=2020-01-13", day(2020, 1, 13), time.Time{}},
		{"published:>2020-01-13", day(2020, 1, 14), time.Time{}},
		{"published:<2020-01-13", time.Time{}, day(2020, 1, 13)},
		{"published:<=2020-01-13", time.Time{}, day(2020, 1, 14)},
		{"published:>now-7d", testNow.AddDate(0, 0, -7).Add(time.Second), time.Time{}},
		{"published:>=now-24h", testNow.Add(-24 * time.Hour), time.Time{}},
		{"published:>=now-2w", testNow.AddDate(0, 0, -14), time.Time{}},
		{"published:>=now-1m", testNow.AddDate(0, -1, 0), time.Time{}},
		{"published:>=now-1y", testNow.AddDate(-1, 0, 0), time.Time{}},
		{"published:[2020-01-13T08:00 TO 2020-01-13T09:00]", time.Date(2020, 1, 13, 8, 0, 0, 0, diembao.Vietnam), time.Date(2020, 1, 13, 9, 1, 0, 0, diembao.Vietnam)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := Parse(tt.in, testNow)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			r, ok := n.(*Range)
			if !ok {
				t.Fatalf("Parse = %T, want *Range", n)
			}
			if !r.From.Equal(tt.from) || !r.To.Equal(tt.to) {
				t.Errorf("range [%v, %v), want [%v, %v)", r.From, r.To, tt.from, tt.to)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in   string
		pos  int
		want string // a part of the message
	}{
		{"", 0, "empty"},
		{"   ", 0, "empty"},
		{`ban "nền tảng`, 4, "never closed"},
		{"(a OR b", 0, "never closed"},
		{"a (b", 2, "never closed"},
		{"a)", 1, "closes nothing"},
		{"()", 0, "empty parentheses"},
		{`""`, 0, "empty quotes"},
		{"a OR", 2, "OR needs something after"},
		{"OR a", 0, "needs something before"},
		{"AND a", 0, "needs something before"},
		{"a AND", 2, "AND needs something after"},
		{"a AND OR b", 2, "AND needs something after"},
		{"NOT", 0, "NOT needs something"},
		{"a -", 2, "needs a word"},
		{"a --b", 3, "cannot follow"},
		{"title:", 6, "needs a word"},
		{"title: bão", 6, "needs a word"},
		{"author:(a title:b)", 10, "two fields"},
		{"title:(a published:2020)", 9, "cannot stand inside"},
		{"ch*yen", 2, "can only end"},
		{"c*", 0, "at least 2 letters"},
		{"*", 0, "at least 2 letters"},
		{"published:", 10, "needs a date"},
		{"published:[2020-13-01 TO 2020-14-01]", 11, "not a date"},
		{"published:[2020-01-01 2020-01-31]", 11, "TO"},
		{"published:[2020-01-01 TO 2020-01-31", 10, "never closed"},
		{"published:[2020-01-01 TO 2020-01-31}", 35, "must close"},
		{"published:[2020-02-01 TO 2020-01-01]", 0, "ends before"},
		{"published:>now-7x", 16, "unknown unit"},
		{"published:>yesterday", 11, "not a date"},
		{"a\xffb", 1, "UTF-8"},
		{strings.Repeat("(", MaxDepth+5) + "a" + strings.Repeat(")", MaxDepth+5), MaxDepth + 1, "nests too deeply"},
		{strings.Repeat("a ", MaxTerms+1), 2 * MaxTerms, "too many terms"},
		{strings.Repeat("a", MaxLength+1), MaxLength, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in, testNow)
			var e *diembao.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q) error = %v, want *diembao.Error", tt.in, err)
			}
			if e.Code != diembao.EINVALID {
				t.Errorf("code %q, want invalid", e.Code)
			}
			if e.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d (%s)", e.Pos, tt.pos, e.Message)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message %q lacks %q", e.Message, tt.want)
			}
		})
	}
}

func TestCaret(t *testing.T) {
	in := `Hà Nội "bão`
	_, err := Parse(in, testNow)
	got := Caret(in, err)
	want := in + "\n       ^"
	if got != want {
		t.Errorf("Caret =\n%s\nwant\n%s", got, want)
	}
	if Caret(in, errors.New("other")) != "" {
		t.Error("Caret of an error without position is not empty")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"ban chi dao 35", `"nền tảng tư tưởng"`, "a OR (b -c)", "title:bão source:\"Báo\"",
		"published:[2020-01-01 TO 2020-01-31] chuyển*", "published:>now-7d HĐND", "-a -b", "((",
		"author:(a OR b)", `"a" "b"*`, "a AND NOT b OR c", "published:{* TO 2020}",
	} {
		f.Add(s)
	}
	a := DefaultAnalyzer()
	f.Fuzz(func(t *testing.T, in string) {
		n, err := Parse(in, testNow)
		if err != nil {
			var e *diembao.Error
			if !errors.As(err, &e) || e.Code != diembao.EINVALID || e.Pos < 0 || e.Pos > len(in) {
				t.Fatalf("Parse(%q) error %#v: want EINVALID with a position inside the input", in, err)
			}
			return
		}
		// The canonical form parses again to the same tree.
		again, err := Parse(n.String(), testNow)
		if err != nil {
			if _, isRange := n.(*Range); !isRange && !strings.Contains(n.String(), "published:") {
				t.Fatalf("canonical form %q of %q does not parse: %v", n.String(), in, err)
			}
		} else if again.String() != n.String() && !strings.Contains(n.String(), "published:") {
			t.Fatalf("canonical form %q parses to %q", n.String(), again.String())
		}
		p, err := a.Prepare(n, Options{})
		if err != nil {
			var e *diembao.Error
			if !errors.As(err, &e) || e.Code != diembao.EINVALID {
				t.Fatalf("Prepare(%q) error %v, want EINVALID", in, err)
			}
			return
		}
		if _, _, ok := Split(p); !ok {
			t.Fatalf("prepared tree of %q does not split", in)
		}
	})
}
