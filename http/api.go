package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/diembao/diembao"
)

// apiError is the body of every error answer of the JSON API:
// {"error": {"code": …, "message": …, "position": …}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

// apiErrorBody describes one error; Position is the byte offset in the
// query a syntax error points at and is absent for other errors.
type apiErrorBody struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Position *int   `json:"position,omitempty"`
}

// writeJSON writes v as indented JSON with the given status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.logger.Error("http: encode JSON", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"Internal error."}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeAPIError answers with the JSON form of err.
func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	ue := s.classify(r, err)
	body := apiErrorBody{Code: ue.Code, Message: ue.Message}
	if ue.Pos >= 0 {
		body.Position = &ue.Pos
	}
	s.writeJSON(w, ue.Status, apiError{Error: body})
}

// handleAPISearch answers GET /api/v1/search with a diembao.SearchResult.
func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) {
	p, err := parseSearchParams(r.URL.Query())
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if p.Query == "" && p.Section == "" && len(p.Sources) == 0 {
		s.writeAPIError(w, r, invalid("The query is empty: give it with q=."))
		return
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	req, off, err := s.request(ctx, p)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	res, err := s.search.Search(ctx, req)
	if err != nil {
		s.writeAPIError(w, r, shiftPos(err, p.Query, off))
		return
	}
	if res.Hits == nil {
		res.Hits = []diembao.Hit{}
	}
	s.writeJSON(w, http.StatusOK, res)
}

// shiftPos returns err with the position of a query syntax error moved from
// the composed query, where the user's query starts at byte off, back into
// the query the user typed.
func shiftPos(err error, user string, off int) error {
	var de *diembao.Error
	if off == 0 || !errors.As(err, &de) || de.Pos < 0 {
		return err
	}
	shifted := *de
	shifted.Pos = min(max(de.Pos-off, 0), len(user))
	return &shifted
}

// parseID reads the {id} path value of r as a positive article or source ID.
func parseID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid("%q is not an ID: IDs are positive whole numbers.", raw)
	}
	return id, nil
}

// findArticle returns the article with the ID in r's path, or an error
// (ENOTFOUND when there is none).
func (s *Server) findArticle(r *http.Request) (*diembao.Article, error) {
	id, err := parseID(r)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	a, err := s.articles.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, diembao.Errorf(diembao.ENOTFOUND, "There is no article %d.", id)
	}
	return a, nil
}

// handleAPIArticle answers GET /api/v1/articles/{id} with a diembao.Article.
func (s *Server) handleAPIArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.findArticle(r)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	if a.Body == nil {
		a.Body = []diembao.Paragraph{}
	}
	s.writeJSON(w, http.StatusOK, a)
}

// apiSource is a source as the API shows it: the stored source and its
// status word.
type apiSource struct {
	*diembao.Source
	// Status is diembao.SourceHealth.Status(): ok, failing, silent or new.
	Status string `json:"status"`
}

// handleAPISources answers GET /api/v1/sources with {"sources": […]},
// optionally only the sources of one status (?status=failing).
func (s *Server) handleAPISources(w http.ResponseWriter, r *http.Request) {
	filter, err := parseStatus(r.URL.Query().Get("status"))
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	all, err := s.sources.FindSources(ctx)
	if err != nil {
		s.writeAPIError(w, r, err)
		return
	}
	out := make([]apiSource, 0, len(all))
	for _, src := range all {
		if src == nil {
			continue
		}
		if st := src.Health.Status(); filter == "" || st == filter {
			out = append(out, apiSource{Source: src, Status: st})
		}
	}
	s.writeJSON(w, http.StatusOK, struct {
		Sources []apiSource `json:"sources"`
	}{out})
}

// healthTimeout bounds the store check of /healthz.
const healthTimeout = 2 * time.Second

// handleHealthz answers GET /healthz: 200 with the article count when the
// store answers, 503 otherwise.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	n, err := s.articles.CountArticles(ctx)
	if err != nil {
		s.logger.Warn("http: health check failed", "err", err)
		s.writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"status": "unavailable", "version": diembao.Version,
		})
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{
		"status": "ok", "version": diembao.Version, "articles": n,
	})
}

// handleAPINotFound answers unknown API paths with a JSON 404, and known
// paths asked with another method than GET with a JSON 405.
func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	if s.methodNotAllowed(w, r) {
		s.writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: apiErrorBody{
			Code: "method_not_allowed", Message: "Only GET is allowed here."}})
		return
	}
	s.writeAPIError(w, r, diembao.Errorf(diembao.ENOTFOUND, "There is no API endpoint %s %s.", r.Method, r.URL.Path))
}
