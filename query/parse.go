package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/diembao/diembao"
)

// Limits that keep parsing of outside input bounded.
const (
	// MaxLength is the longest query accepted, in bytes.
	MaxLength = 2000
	// MaxDepth is the deepest nesting of parentheses and NOT accepted.
	MaxDepth = 20
	// MaxTerms is the largest number of terms accepted.
	MaxTerms = 64
	// minPrefix is the fewest letters a wildcard prefix must have.
	minPrefix = 2
)

// Parse parses a query of diembao's query language (see the package
// documentation) into a tree. now anchors relative dates ("now-7d"); dates
// without a time are days in Vietnam's time zone. A query that cannot be
// parsed gives an *diembao.Error with code EINVALID whose Pos is the byte
// position of the mistake.
func Parse(input string, now time.Time) (Node, error) {
	if len(input) > MaxLength {
		return nil, &diembao.Error{Code: diembao.EINVALID, Pos: MaxLength,
			Message: fmt.Sprintf("the query is too long (%d bytes, at most %d)", len(input), MaxLength)}
	}
	if !utf8.ValidString(input) {
		pos := 0
		for pos < len(input) {
			r, size := utf8.DecodeRuneInString(input[pos:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			pos += size
		}
		return nil, errAt(pos, "the query is not valid UTF-8 text")
	}
	p := &parser{in: input, now: now}
	p.skipSpace()
	if p.pos == len(p.in) {
		return nil, errAt(0, "the query is empty")
	}
	n, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos < len(p.in) {
		if p.in[p.pos] == ')' {
			return nil, errAt(p.pos, `")" closes nothing: no "(" before it`)
		}
		return nil, errAt(p.pos, "unexpected text")
	}
	return n, nil
}

// errAt returns an EINVALID error pointing at pos.
func errAt(pos int, format string, args ...any) *diembao.Error {
	msg := fmt.Sprintf(format, args...)
	return &diembao.Error{Code: diembao.EINVALID, Pos: pos,
		Message: fmt.Sprintf("query: %s (at position %d)", msg, pos)}
}

// Caret returns the query and, on the next line, a caret under the byte
// position err points at, for showing a query error in a terminal. It
// returns "" when err carries no position.
func Caret(input string, err error) string {
	e, ok := err.(*diembao.Error)
	if !ok || e.Pos < 0 || e.Pos > len(input) {
		return ""
	}
	width := utf8.RuneCountInString(input[:e.Pos])
	return input + "\n" + strings.Repeat(" ", width) + "^"
}

type parser struct {
	in    string
	pos   int
	now   time.Time
	terms int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.in) {
		r, size := utf8.DecodeRuneInString(p.in[p.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		p.pos += size
	}
}

// keyword reports whether an operator keyword (AND, OR, NOT) stands at the
// current position, followed by a space, a parenthesis, a quote or the end.
func (p *parser) keyword(kw string) bool {
	if !strings.HasPrefix(p.in[p.pos:], kw) {
		return false
	}
	end := p.pos + len(kw)
	if end == len(p.in) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(p.in[end:])
	return unicode.IsSpace(r) || r == '(' || r == '"' || r == ')'
}

func (p *parser) parseOr(depth int) (Node, error) {
	start := p.pos
	first, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	children := []Node{first}
	for {
		p.skipSpace()
		if !p.keyword("OR") {
			break
		}
		at := p.pos
		p.pos += 2
		p.skipSpace()
		if p.atEnd() {
			return nil, errAt(at, "OR needs something after it")
		}
		n, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	if len(children) == 1 {
		return first, nil
	}
	return &Or{Children: children, At: start}, nil
}

// atEnd reports whether the current group ends here (end of input or ")").
func (p *parser) atEnd() bool {
	return p.pos == len(p.in) || p.in[p.pos] == ')'
}

func (p *parser) parseAnd(depth int) (Node, error) {
	p.skipSpace()
	start := p.pos
	if p.keyword("AND") || p.keyword("OR") {
		return nil, errAt(p.pos, "%s needs something before it", p.in[p.pos:p.pos+strings.IndexAny(p.in[p.pos:]+" ", " (\")")])
	}
	var children []Node
	for {
		p.skipSpace()
		if p.atEnd() || p.keyword("OR") {
			break
		}
		if p.keyword("AND") {
			at := p.pos
			if len(children) == 0 {
				return nil, errAt(at, "AND needs something before it")
			}
			p.pos += 3
			p.skipSpace()
			if p.atEnd() || p.keyword("OR") || p.keyword("AND") {
				return nil, errAt(at, "AND needs something after it")
			}
		}
		n, err := p.parseUnary(depth)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	switch len(children) {
	case 0:
		if p.pos < len(p.in) && p.in[p.pos] == ')' {
			return nil, errAt(p.pos, `empty parentheses or ")" without a "("`)
		}
		return nil, errAt(p.pos, "something is missing here")
	case 1:
		return children[0], nil
	}
	return &And{Children: children, At: start}, nil
}

func (p *parser) parseUnary(depth int) (Node, error) {
	if depth > MaxDepth {
		return nil, errAt(p.pos, "the query nests too deeply (at most %d levels)", MaxDepth)
	}
	p.skipSpace()
	at := p.pos
	switch {
	case p.keyword("NOT"):
		p.pos += 3
		p.skipSpace()
		if p.atEnd() || p.keyword("AND") || p.keyword("OR") {
			return nil, errAt(at, "NOT needs something after it")
		}
		n, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{Child: n, At: at}, nil
	case p.in[p.pos] == '-' || p.in[p.pos] == '+':
		sign := p.in[p.pos]
		p.pos++
		if p.pos == len(p.in) || isSpaceAt(p.in, p.pos) || p.in[p.pos] == ')' {
			return nil, errAt(at, "%q needs a word right after it", string(sign))
		}
		if p.in[p.pos] == '-' || p.in[p.pos] == '+' {
			return nil, errAt(p.pos, "%q cannot follow %q", string(p.in[p.pos]), string(sign))
		}
		n, err := p.parsePrimary(depth + 1)
		if err != nil {
			return nil, err
		}
		if sign == '-' {
			return &Not{Child: n, At: at}, nil
		}
		return n, nil
	}
	return p.parsePrimary(depth)
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

func (p *parser) parsePrimary(depth int) (Node, error) {
	at := p.pos
	switch p.in[p.pos] {
	case '(':
		return p.parseGroup(depth, FieldAny)
	case ')':
		return nil, errAt(at, `")" closes nothing: no "(" before it`)
	case '"':
		return p.parsePhrase(FieldAny)
	}
	// A field name followed by a colon.
	if name, ok := p.fieldName(); ok {
		p.pos += len(name) + 1
		if name == string(FieldPublished) {
			return p.parseRange(at)
		}
		field := textFields[name]
		if p.pos == len(p.in) || isSpaceAt(p.in, p.pos) || p.in[p.pos] == ')' {
			return nil, errAt(p.pos, "%s: needs a word, a phrase or a group right after the colon", name)
		}
		var n Node
		var err error
		switch p.in[p.pos] {
		case '(':
			return p.parseGroup(depth, field)
		case '"':
			n, err = p.parsePhrase(field)
		default:
			n, err = p.parseWord(field)
		}
		if t, ok := n.(*Term); ok {
			t.At = at
		}
		return n, err
	}
	return p.parseWord(FieldAny)
}

// fieldName returns the field name at the current position when it is
// followed by a colon.
func (p *parser) fieldName() (string, bool) {
	rest := p.in[p.pos:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return "", false
	}
	name := rest[:i]
	if _, ok := textFields[name]; ok || name == string(FieldPublished) {
		return name, true
	}
	return "", false
}

func (p *parser) parseGroup(depth int, field Field) (Node, error) {
	open := p.pos
	p.pos++
	p.skipSpace()
	if p.pos < len(p.in) && p.in[p.pos] == ')' {
		return nil, errAt(open, "empty parentheses")
	}
	if p.pos == len(p.in) {
		return nil, errAt(open, `"(" is never closed`)
	}
	n, err := p.parseOr(depth + 1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos == len(p.in) || p.in[p.pos] != ')' {
		return nil, errAt(open, `"(" is never closed`)
	}
	p.pos++
	if field != FieldAny {
		var ferr error
		Walk(n, func(x Node) bool {
			switch x := x.(type) {
			case *Term:
				if x.Field != FieldAny && x.Field != field {
					ferr = errAt(x.At, "%s: inside %s:( … ) asks for two fields at once", x.Field, field)
				}
				x.Field = field
			case *Range:
				ferr = errAt(x.At, "published: cannot stand inside %s:( … )", field)
			}
			return ferr == nil
		})
		if ferr != nil {
			return nil, ferr
		}
	}
	return n, nil
}

func (p *parser) addTerm(at int) error {
	p.terms++
	if p.terms > MaxTerms {
		return errAt(at, "the query has too many terms (at most %d)", MaxTerms)
	}
	return nil
}

func (p *parser) parsePhrase(field Field) (Node, error) {
	open := p.pos
	end := strings.IndexByte(p.in[open+1:], '"')
	if end < 0 {
		return nil, errAt(open, "the quote opened here is never closed")
	}
	text := p.in[open+1 : open+1+end]
	p.pos = open + 1 + end + 1
	if strings.TrimSpace(text) == "" {
		return nil, errAt(open, "empty quotes")
	}
	if err := p.addTerm(open); err != nil {
		return nil, err
	}
	t := &Term{Field: field, Text: text, Phrase: true, At: open}
	if p.pos < len(p.in) && p.in[p.pos] == '*' {
		t.Prefix = true
		p.pos++
	}
	return t, nil
}

// parseWord reads an unquoted term: everything up to a space, a
// parenthesis or a quote.
func (p *parser) parseWord(field Field) (Node, error) {
	start := p.pos
	for p.pos < len(p.in) {
		c := p.in[p.pos]
		if c == '(' || c == ')' || c == '"' || isSpaceAt(p.in, p.pos) {
			break
		}
		_, size := utf8.DecodeRuneInString(p.in[p.pos:])
		p.pos += size
	}
	word := p.in[start:p.pos]
	if word == "" {
		return nil, errAt(start, "a word is missing here")
	}
	if err := p.addTerm(start); err != nil {
		return nil, err
	}
	t := &Term{Field: field, Text: word, At: start}
	if i := strings.IndexByte(word, '*'); i >= 0 {
		if i != len(word)-1 {
			return nil, errAt(start+i, `"*" can only end a word (as in chuyển*)`)
		}
		t.Text = word[:i]
		t.Prefix = true
		letters := 0
		for _, r := range t.Text {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				letters++
			}
		}
		if letters < minPrefix {
			return nil, errAt(start, "a prefix needs at least %d letters before the \"*\"", minPrefix)
		}
	}
	return t, nil
}

// parseRange reads what follows "published:": [from TO to], {from TO to},
// a comparison (>, >=, <, <=) with a date, or a single date.
func (p *parser) parseRange(at int) (Node, error) {
	if p.pos == len(p.in) || isSpaceAt(p.in, p.pos) {
		return nil, errAt(p.pos, "published: needs a date or a range such as [2020-01-01 TO 2020-01-31] or >now-7d")
	}
	r := &Range{Field: FieldPublished, At: at}
	switch c := p.in[p.pos]; c {
	case '[', '{':
		open := p.pos
		close := byte(']')
		if c == '{' {
			close = '}'
		}
		end := strings.IndexAny(p.in[open:], "]}")
		if end < 0 {
			return nil, errAt(open, "the range opened here is never closed")
		}
		end += open
		if p.in[end] != close {
			return nil, errAt(end, "a range opened with %q must close with %q", string(c), string(close))
		}
		inner := p.in[open+1 : end]
		i := strings.Index(inner, " TO ")
		if i < 0 {
			return nil, errAt(open+1, "a range needs two dates separated by TO, as in [2020-01-01 TO 2020-01-31]")
		}
		fromText, toText := inner[:i], inner[i+4:]
		fromPos := open + 1 + (len(fromText) - len(strings.TrimLeft(fromText, " ")))
		toPos := open + 1 + i + 4 + (len(toText) - len(strings.TrimLeft(toText, " ")))
		inclusive := c == '['
		if s := strings.TrimSpace(fromText); s != "*" {
			from, to, err := p.date(s, fromPos)
			if err != nil {
				return nil, err
			}
			r.From = from
			if !inclusive {
				r.From = to
			}
		}
		if s := strings.TrimSpace(toText); s != "*" {
			from, to, err := p.date(s, toPos)
			if err != nil {
				return nil, err
			}
			r.To = to
			if !inclusive {
				r.To = from
			}
		}
		p.pos = end + 1
	case '>', '<':
		op := string(c)
		p.pos++
		if p.pos < len(p.in) && p.in[p.pos] == '=' {
			op += "="
			p.pos++
		}
		datePos := p.pos
		for p.pos < len(p.in) && !isSpaceAt(p.in, p.pos) && p.in[p.pos] != ')' {
			p.pos++
		}
		from, to, err := p.date(p.in[datePos:p.pos], datePos)
		if err != nil {
			return nil, err
		}
		switch op {
		case ">":
			r.From = to
		case ">=":
			r.From = from
		case "<":
			r.To = from
		case "<=":
			r.To = to
		}
	default:
		datePos := p.pos
		for p.pos < len(p.in) && !isSpaceAt(p.in, p.pos) && p.in[p.pos] != ')' {
			p.pos++
		}
		from, to, err := p.date(p.in[datePos:p.pos], datePos)
		if err != nil {
			return nil, err
		}
		r.From, r.To = from, to
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return nil, errAt(at, "the range ends before it begins")
	}
	return r, nil
}

// date parses a date of a range and returns the span it names: a day
// (2020-01-31), a month (2020-01), a year (2020), a time (RFC 3339) or now
// with an offset (now, now-7d, now-24h, now-2w, now-3m, now-1y). A point in
// time spans one second.
func (p *parser) date(s string, pos int) (from, to time.Time, err error) {
	if s == "" {
		return from, to, errAt(pos, "a date is missing here")
	}
	if strings.HasPrefix(s, "now") {
		t := p.now
		rest := s[3:]
		if rest != "" {
			if rest[0] != '-' && rest[0] != '+' || len(rest) < 3 {
				return from, to, errAt(pos, "%q is not a date: write now-7d, now-24h, now-2w, now-3m or now-1y", s)
			}
			n, err := strconv.Atoi(rest[1 : len(rest)-1])
			if err != nil || n < 0 || n > 10000 {
				return from, to, errAt(pos+4, "%q is not a number of units", rest[1:len(rest)-1])
			}
			if rest[0] == '-' {
				n = -n
			}
			switch rest[len(rest)-1] {
			case 'h':
				t = t.Add(time.Duration(n) * time.Hour)
			case 'd':
				t = t.AddDate(0, 0, n)
			case 'w':
				t = t.AddDate(0, 0, 7*n)
			case 'm':
				t = t.AddDate(0, n, 0)
			case 'y':
				t = t.AddDate(n, 0, 0)
			default:
				return from, to, errAt(pos+len(s)-1, "unknown unit %q: use h, d, w, m or y", rest[len(rest)-1:])
			}
		}
		t = t.Truncate(time.Second)
		return t, t.Add(time.Second), nil
	}
	layouts := []struct {
		layout string
		span   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l.layout, s, diembao.Vietnam); err == nil {
			return t, l.span(t), nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, t.Add(time.Second), nil
	}
	return from, to, errAt(pos, "%q is not a date: write 2020-01-31, 2020-01, 2020 or now-7d", s)
}
