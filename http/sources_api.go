package http

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/diembao/diembao"
)

// DiscoverFunc finds the feeds and sitemaps of a homepage, for sources added
// through the API without any.
type DiscoverFunc func(ctx context.Context, homepage string) (feeds, sitemaps []string, err error)

// maxSourceBody bounds the JSON body of a source sent to the API.
const maxSourceBody = 64 << 10

// handleAPICreateSource answers POST /api/v1/sources: the body is a source
// as GET /api/v1/sources lists it (name, homepage, feeds, sitemaps, kind,
// province, collections, enabled). Without feeds and sitemaps they are
// discovered from the homepage when the server can discover. The answer is
// the stored source with status 201.
func (s *Server) handleAPICreateSource(w http.ResponseWriter, r *http.Request) {
	// A JSON content type makes a cross-site request from a browser need a
	// preflight, which this API does not grant.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.writeAPIError(w, r, diembao.Errorf(diembao.EINVALID, "Send the source as JSON (Content-Type: application/json)."))
		return
	}
	var in struct {
		Name        string             `json:"name"`
		Homepage    string             `json:"homepage"`
		Feeds       []string           `json:"feeds"`
		Sitemaps    []string           `json:"sitemaps"`
		Kind        diembao.SourceKind `json:"kind"`
		Province    string             `json:"province"`
		Collections []string           `json:"collections"`
		Enabled     *bool              `json:"enabled"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxSourceBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		s.writeAPIError(w, r, diembao.Errorf(diembao.EINVALID, "The body is not a source in JSON: %v.", err))
		return
	}
	src := &diembao.Source{
		Name: in.Name, Homepage: in.Homepage, Feeds: in.Feeds, Sitemaps: in.Sitemaps,
		Kind: in.Kind, Province: in.Province, Collections: in.Collections, Enabled: in.Enabled == nil || *in.Enabled,
	}
	if err := src.Validate(); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	if len(src.Feeds)+len(src.Sitemaps) == 0 {
		if s.discover == nil {
			s.writeAPIError(w, r, diembao.Errorf(diembao.EINVALID, "Give the source's feeds or sitemaps."))
			return
		}
		feeds, sitemaps, err := s.discover(ctx, src.Homepage)
		if err != nil {
			s.writeAPIError(w, r, diembao.Errorf(diembao.EINVALID, "Cannot find the feeds of %s: %v.", src.Homepage, err))
			return
		}
		if len(feeds)+len(sitemaps) == 0 {
			s.writeAPIError(w, r, diembao.Errorf(diembao.EINVALID, "Found no feed or sitemap on %s; give one.", src.Homepage))
			return
		}
		src.Feeds, src.Sitemaps = feeds, sitemaps
	}
	if err := s.sources.CreateSource(ctx, src); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, apiSource{Source: src, Status: src.Health.Status()})
}

// handleAPIDeleteSource answers DELETE /api/v1/sources/{id} with 204; the
// source's articles stay in the archive.
func (s *Server) handleAPIDeleteSource(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	if err := s.sources.DeleteSource(ctx, id); err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
