package extract

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/BurntSushi/toml"
)

// SiteRule overrides the generic rules for one outlet whose markup defeats
// them. Every field is optional; each selector is a simple CSS selector of
// one element: a tag name, ".class", "#id", or a combination such as
// "div.article-body" or "p.sapo#lead".
//
// A rules file is TOML:
//
//	[[site]]
//	hosts = ["example.vn", "www.example.vn"]
//	body = "div.noi-dung"
//	sapo = "p.tom-tat"
//	drop = ["div.hop-tin", ".quang-cao"]
type SiteRule struct {
	// Hosts are the host names the rule applies to ("www." is ignored).
	Hosts []string `toml:"hosts"`
	// Title, Sapo, Body, Author and Date select the element holding each
	// part; the first element that matches is used.
	Title  string `toml:"title"`
	Sapo   string `toml:"sapo"`
	Body   string `toml:"body"`
	Author string `toml:"author"`
	Date   string `toml:"date"`
	// Drop lists elements to remove before anything else.
	Drop []string `toml:"drop"`

	sel struct {
		title, sapo, body, author, date selector
		drop                            []selector
	}
}

// Rules is a set of site rules keyed by host.
type Rules struct {
	byHost map[string]*SiteRule
}

// LoadRules reads site rules in TOML from r.
func LoadRules(r io.Reader) (*Rules, error) {
	var f struct {
		Site []*SiteRule `toml:"site"`
	}
	if _, err := toml.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("extract: site rules: %w", err)
	}
	rs := &Rules{byHost: map[string]*SiteRule{}}
	for i, s := range f.Site {
		if len(s.Hosts) == 0 {
			return nil, fmt.Errorf("extract: site rules: site %d has no hosts", i+1)
		}
		var err error
		for _, p := range []struct {
			src string
			dst *selector
		}{{s.Title, &s.sel.title}, {s.Sapo, &s.sel.sapo}, {s.Body, &s.sel.body}, {s.Author, &s.sel.author}, {s.Date, &s.sel.date}} {
			if *p.dst, err = parseSelector(p.src); err != nil {
				return nil, fmt.Errorf("extract: site rules: site %d: %w", i+1, err)
			}
		}
		for _, d := range s.Drop {
			sel, err := parseSelector(d)
			if err != nil {
				return nil, fmt.Errorf("extract: site rules: site %d: %w", i+1, err)
			}
			s.sel.drop = append(s.sel.drop, sel)
		}
		for _, h := range s.Hosts {
			rs.byHost[hostKey(h)] = s
		}
	}
	return rs, nil
}

// For returns the rule of the page at rawURL, or nil.
func (r *Rules) For(rawURL string) *SiteRule {
	if r == nil || len(r.byHost) == 0 {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	return r.byHost[hostKey(u.Hostname())]
}

func hostKey(h string) string {
	return strings.TrimPrefix(strings.ToLower(strings.TrimSpace(h)), "www.")
}

func (s *SiteRule) drops(n *node) bool {
	for _, d := range s.sel.drop {
		if d.match(n) {
			return true
		}
	}
	return false
}

// selector is a parsed simple selector: tag, classes and id, all optional.
type selector struct {
	tag     string
	classes []string
	id      string
}

func (s selector) empty() bool { return s.tag == "" && s.id == "" && len(s.classes) == 0 }

func parseSelector(src string) (selector, error) {
	var s selector
	src = strings.TrimSpace(src)
	if src == "" {
		return s, nil
	}
	if strings.ContainsAny(src, " >+~[]:,*") {
		return s, fmt.Errorf("selector %q: only tag, .class and #id are supported", src)
	}
	cur, kind := "", byte(0)
	emit := func() error {
		switch kind {
		case 0:
			s.tag = strings.ToLower(cur)
		case '.':
			if cur == "" {
				return fmt.Errorf("selector %q: empty class", src)
			}
			s.classes = append(s.classes, cur)
		case '#':
			if cur == "" {
				return fmt.Errorf("selector %q: empty id", src)
			}
			s.id = cur
		}
		return nil
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '.' || c == '#' {
			if err := emit(); err != nil {
				return s, err
			}
			cur, kind = "", c
			continue
		}
		cur += string(c)
	}
	return s, emit()
}

func (s selector) match(n *node) bool {
	if s.empty() || n.isText() {
		return false
	}
	if s.tag != "" && n.name != s.tag {
		return false
	}
	if s.id != "" && n.attr("id") != s.id {
		return false
	}
	if len(s.classes) > 0 {
		have := strings.Fields(n.attr("class"))
		for _, c := range s.classes {
			found := false
			for _, h := range have {
				if h == c {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// first returns the first element below root that s matches, or nil.
func (s selector) first(root *node) *node {
	if s.empty() {
		return nil
	}
	var found *node
	walk(root, func(n *node) bool {
		if found != nil {
			return false
		}
		if s.match(n) {
			found = n
			return false
		}
		return true
	})
	return found
}
