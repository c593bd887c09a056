package diembao

import (
	"net/url"
	"strings"
)

// ValidKind reports whether k is one of the kinds of outlet diembao knows.
func ValidKind(k SourceKind) bool {
	switch k {
	case KindNational, KindAgency, KindParty, KindSector, KindProvincial, KindOther:
		return true
	}
	return false
}

// Validate checks what a user gives for a source: a name, an http(s)
// homepage, http(s) feed and sitemap URLs and a known kind (an empty kind
// becomes KindOther). It returns an EINVALID *Error that says what is wrong.
func (s *Source) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		return Errorf(EINVALID, "a source needs a name")
	}
	if err := checkHTTPURL("homepage", s.Homepage); err != nil {
		return err
	}
	for _, f := range s.Feeds {
		if err := checkHTTPURL("feed", f); err != nil {
			return err
		}
	}
	for _, f := range s.Sitemaps {
		if err := checkHTTPURL("sitemap", f); err != nil {
			return err
		}
	}
	if s.Kind == "" {
		s.Kind = KindOther
	}
	if !ValidKind(s.Kind) {
		return Errorf(EINVALID, "kind %q: use national, agency, party, sector, provincial or other", s.Kind)
	}
	return nil
}

func checkHTTPURL(what, s string) error {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EINVALID, "%s %q is not an http or https URL", what, s)
	}
	return nil
}
