package query

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// ContentHash returns the content hash every store keeps beside an article's
// canonical URL to make storing idempotent: the SHA-256 of its normalized
// title, text and captions, in hexadecimal. Tone-mark placement (hòa/hoà)
// does not change it, so an archive moved from one backend to another stays
// idempotent.
func ContentHash(a *diembao.Article) string {
	h := sha256.New()
	h.Write([]byte(viet.Normalize(strings.TrimSpace(a.Title))))
	h.Write([]byte{0})
	h.Write([]byte(viet.Normalize(strings.TrimSpace(a.Text()))))
	for _, c := range a.Captions {
		h.Write([]byte{0})
		h.Write([]byte(viet.Normalize(c)))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ValidateArticle checks that an article can be stored: it needs a URL and a
// title or some text.
func ValidateArticle(a *diembao.Article) error {
	if strings.TrimSpace(a.URL) == "" {
		return diembao.Errorf(diembao.EINVALID, "an article needs a URL")
	}
	if strings.TrimSpace(a.Title) == "" && a.Text() == "" {
		return diembao.Errorf(diembao.EINVALID, "article %s has neither a title nor text", a.URL)
	}
	return nil
}
