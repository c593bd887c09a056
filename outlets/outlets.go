// Package outlets is stage 0 of the pipeline: the sources diembao collects
// from. It holds the default list of Vietnamese news outlets with their
// public RSS feeds (default.toml, embedded) and reads and writes source lists
// in that TOML form, so that a user can keep and edit their own.
//
// A list is a sequence of [[source]] tables:
//
//	[[source]]
//	name = "VnExpress"
//	homepage = "https://vnexpress.net"
//	kind = "national"
//	collections = ["major", "national"]
//	enabled = true
//	feeds = ["https://vnexpress.net/rss/tin-moi-nhat.rss"]
//
// The package imports only the root package and a TOML library.
package outlets

import (
	"bufio"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/diembao/diembao"
)

// defaultFile is the default source list with its comments.
//
//go:embed default.toml
var defaultFile string

// MaxFileSize bounds the size of a source list Parse accepts.
const MaxFileSize = 4 << 20

// Kinds returns the kinds of outlet a source list may name.
func Kinds() []diembao.SourceKind {
	return []diembao.SourceKind{
		diembao.KindNational, diembao.KindAgency, diembao.KindParty,
		diembao.KindSector, diembao.KindProvincial, diembao.KindOther,
	}
}

// Default returns the default sources.
func Default() ([]diembao.Source, error) {
	srcs, err := Parse(strings.NewReader(defaultFile))
	if err != nil {
		return nil, fmt.Errorf("outlets: default list: %w", err)
	}
	return srcs, nil
}

// WriteDefault writes the default list as shipped, with its comments, for
// the user to edit.
func WriteDefault(w io.Writer) error {
	if _, err := io.WriteString(w, defaultFile); err != nil {
		return fmt.Errorf("outlets: write default list: %w", err)
	}
	return nil
}

// ParseError is an error in a source list. Line is 1-based, or 0 when the
// error has no single place.
type ParseError struct {
	Line int
	// Source is the name of the source in error, or "" when unknown.
	Source string
	// Field is the key in error ("homepage", "feeds[1]"), or "".
	Field string
	Msg   string
}

// Error implements the error interface: "outlets: line 12: source
// "VnExpress": homepage: … ".
func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString("outlets: ")
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Source != "" {
		fmt.Fprintf(&b, "source %q: ", e.Source)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// fileSource is the TOML form of a source.
type fileSource struct {
	Name        string   `toml:"name"`
	Homepage    string   `toml:"homepage"`
	Kind        string   `toml:"kind"`
	Province    string   `toml:"province,omitempty"`
	Collections []string `toml:"collections,omitempty"`
	Enabled     *bool    `toml:"enabled"`
	Feeds       []string `toml:"feeds"`
	Sitemaps    []string `toml:"sitemaps,omitempty"`
}

type file struct {
	Source []fileSource `toml:"source"`
}

// Parse reads a source list. An omitted enabled key means enabled. Errors
// are *ParseError values naming the line, the source and the field.
func Parse(r io.Reader) ([]diembao.Source, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("outlets: read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, &ParseError{Msg: fmt.Sprintf("the list is larger than %d bytes", MaxFileSize)}
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	if !utf8.ValidString(text) {
		return nil, &ParseError{Msg: "the list is not UTF-8 text"}
	}

	var f file
	md, err := toml.Decode(text, &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &ParseError{Line: pe.Position.Line, Msg: pe.Message}
		}
		msg := strings.TrimPrefix(err.Error(), "toml: ")
		if m := decodeErrRE.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			key := m[2][strings.LastIndexByte(m[2], '.')+1:]
			return nil, &ParseError{Line: line, Field: key, Msg: m[3]}
		}
		return nil, &ParseError{Msg: msg}
	}
	lines := tableLines(text, len(f.Source))
	if und := md.Undecoded(); len(und) > 0 {
		key := und[0]
		line := 0
		if len(key) > 0 {
			line = keyLine(text, key[len(key)-1])
		}
		if len(key) > 1 && key[0] == "source" {
			return nil, &ParseError{Line: line, Field: key[len(key)-1], Msg: "unknown key (known: name, homepage, kind, province, collections, enabled, feeds, sitemaps)"}
		}
		return nil, &ParseError{Line: line, Field: key.String(), Msg: "unknown key; a source list holds only [[source]] tables"}
	}

	out := make([]diembao.Source, 0, len(f.Source))
	names := map[string]int{}
	for i, fs := range f.Source {
		perr := func(field, format string, args ...any) *ParseError {
			e := &ParseError{Source: fs.Name, Field: field, Msg: fmt.Sprintf(format, args...)}
			if e.Source == "" {
				e.Source = fmt.Sprintf("#%d", i+1)
			}
			if lines != nil {
				key, _, _ := strings.Cut(field, "[")
				e.Line = lines[i].field(text, key)
			}
			return e
		}
		s := diembao.Source{
			Name:     strings.TrimSpace(fs.Name),
			Homepage: strings.TrimSpace(fs.Homepage),
			Kind:     diembao.SourceKind(strings.TrimSpace(fs.Kind)),
			Province: strings.TrimSpace(fs.Province),
			Enabled:  fs.Enabled == nil || *fs.Enabled,
		}
		switch {
		case s.Name == "":
			return nil, perr("name", "missing or empty")
		case names[strings.ToLower(s.Name)] > 0:
			return nil, perr("name", "listed twice (first as source #%d)", names[strings.ToLower(s.Name)])
		case s.Homepage == "":
			return nil, perr("homepage", "missing or empty")
		case s.Kind == "":
			return nil, perr("kind", "missing; one of %s", kindList())
		case !slices.Contains(Kinds(), s.Kind):
			return nil, perr("kind", "%q is not one of %s", s.Kind, kindList())
		}
		names[strings.ToLower(s.Name)] = i + 1
		if strings.ContainsFunc(s.Name, unicode.IsControl) {
			return nil, perr("name", "holds a control character")
		}
		if strings.ContainsFunc(s.Province, unicode.IsControl) {
			return nil, perr("province", "holds a control character")
		}
		if msg := checkURL(s.Homepage); msg != "" {
			return nil, perr("homepage", "%q %s", s.Homepage, msg)
		}
		var err *ParseError
		if s.Feeds, err = urlList(fs.Feeds, "feeds", perr); err != nil {
			return nil, err
		}
		if s.Sitemaps, err = urlList(fs.Sitemaps, "sitemaps", perr); err != nil {
			return nil, err
		}
		for j, c := range fs.Collections {
			c = strings.TrimSpace(c)
			switch {
			case c == "":
				return nil, perr(fmt.Sprintf("collections[%d]", j), "empty collection name")
			case strings.ContainsFunc(c, unicode.IsControl):
				return nil, perr(fmt.Sprintf("collections[%d]", j), "holds a control character")
			case !slices.Contains(s.Collections, c):
				s.Collections = append(s.Collections, c)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// urlList checks and trims a list of feed or sitemap URLs, dropping
// repeats.
func urlList(in []string, field string, perr func(field, format string, args ...any) *ParseError) ([]string, *ParseError) {
	out := make([]string, 0, len(in))
	for j, u := range in {
		u = strings.TrimSpace(u)
		if msg := checkURL(u); msg != "" {
			return nil, perr(fmt.Sprintf("%s[%d]", field, j), "%q %s", u, msg)
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkURL returns why u is not an absolute http(s) URL, or "".
func checkURL(u string) string {
	p, err := url.Parse(u)
	switch {
	case u == "":
		return "is empty"
	case err != nil:
		return "is not a URL"
	case p.Scheme != "http" && p.Scheme != "https":
		return "is not an http or https address"
	case p.Host == "" || p.Hostname() == "":
		return "has no host"
	case p.User != nil:
		return "must not hold a user name or password"
	case strings.ContainsAny(u, " \t\r\n"):
		return "holds white space"
	}
	return ""
}

func kindList() string {
	var s []string
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

// tableRange is the span of lines of one [[source]] table (1-based,
// [start, end)).
type tableRange struct{ start, end int }

// decodeErrRE splits the TOML library's type errors: "line 6 (last key
// "source.enabled"): incompatible types: …".
var decodeErrRE = regexp.MustCompile(`^line (\d+) \(last key "([^"]*)"\): (.*)$`)

var tableRE = regexp.MustCompile(`^\s*\[\[\s*source\s*\]\]`)

// tableLines finds the [[source]] headers of text; it returns nil when
// their number is not n (the list was written in another TOML form).
func tableLines(text string, n int) []tableRange {
	var out []tableRange
	line := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, MaxFileSize+1)
	for sc.Scan() {
		line++
		if tableRE.MatchString(sc.Text()) {
			if len(out) > 0 {
				out[len(out)-1].end = line
			}
			out = append(out, tableRange{start: line})
		}
	}
	if len(out) != n {
		return nil
	}
	if n > 0 {
		out[n-1].end = line + 1
	}
	return out
}

// field returns the line of key in the table, or the table's header line.
func (r tableRange) field(text, key string) int {
	re := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*=`)
	line := 0
	for l := range strings.Lines(text) {
		line++
		if line > r.start && line < r.end && re.MatchString(l) {
			return line
		}
	}
	return r.start
}

// keyLine returns the first line that assigns key, or 0.
func keyLine(text, key string) int {
	re := regexp.MustCompile(`^\s*"?` + regexp.QuoteMeta(key) + `"?\s*=`)
	line := 0
	for l := range strings.Lines(text) {
		line++
		if re.MatchString(l) {
			return line
		}
	}
	return 0
}

// Write writes sources as a source list Parse reads back. It writes the
// fields a list holds (not IDs, health or creation times).
func Write(w io.Writer, srcs []diembao.Source) error {
	f := file{Source: make([]fileSource, 0, len(srcs))}
	for _, s := range srcs {
		enabled := s.Enabled
		feeds := s.Feeds
		if feeds == nil {
			feeds = []string{}
		}
		f.Source = append(f.Source, fileSource{
			Name:        s.Name,
			Homepage:    s.Homepage,
			Kind:        string(s.Kind),
			Province:    s.Province,
			Collections: s.Collections,
			Enabled:     &enabled,
			Feeds:       feeds,
			Sitemaps:    s.Sitemaps,
		})
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("# diembao source list: one [[source]] table per outlet.\n\n")
	enc := toml.NewEncoder(bw)
	enc.Indent = ""
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("outlets: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("outlets: write: %w", err)
	}
	return nil
}
