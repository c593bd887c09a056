package demosite

import (
	"fmt"

	"github.com/diembao/diembao/viet"
)

// encodeLegacy writes a page in the legacy Vietnamese encoding named by an
// article's encoding key.
func encodeLegacy(page, enc string) ([]byte, error) {
	e, err := viet.ParseEncoding(enc)
	if err != nil {
		return nil, fmt.Errorf("demosite: %w", err)
	}
	return viet.Encode(page, e)
}
