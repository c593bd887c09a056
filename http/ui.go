package http

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/diembao/diembao"
)

// pageNames are the templates of the web interface; each is parsed together
// with layout.html.
var pageNames = []string{"search", "article", "sources", "error"}

// parsePages parses every page template with the shared layout.
func (s *Server) parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": s.assets.url,
		"num":   formatCount,
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(embedded, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what the layout of every page needs.
type page struct {
	// Title is the page's own title, shown before the site's name.
	Title string
	// Nav is the navigation item of the page: "search" or "sources".
	Nav string
}

// render executes the named page template with data and writes it with the
// given status. The page is rendered in full before anything is written, so
// a template error becomes a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].Execute(&buf, data); err != nil {
		s.logger.Error("http: render page", "page", name, "path", r.URL.Path, "err", err)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("Đã có lỗi nội bộ. Internal error.\n"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of error.html.
type errorPage struct {
	page
	Status  int
	Heading string
	Message string
}

// renderError renders the error page for err.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	ue := s.classify(r, err)
	s.render(w, r, ue.Status, "error", errorPage{
		page:    page{Title: headingOf(ue)},
		Status:  ue.Status,
		Heading: headingOf(ue),
		Message: uiMessage(ue),
	})
}

// headingOf is the Vietnamese heading of an error page.
func headingOf(ue userError) string {
	switch ue.Code {
	case diembao.EINVALID:
		return "Yêu cầu chưa hợp lệ"
	case diembao.ENOTFOUND:
		return "Không tìm thấy trang"
	case diembao.EUNAVAILABLE:
		return "Dịch vụ tạm thời chưa sẵn sàng"
	default:
		return "Đã có lỗi xảy ra"
	}
}

// uiMessage is the message of an error page: the service's own message for
// errors users can act on, a Vietnamese sentence for internal errors.
func uiMessage(ue userError) string {
	if ue.Code == diembao.EINTERNAL {
		return "Đã có lỗi nội bộ. Vui lòng thử lại sau."
	}
	return ue.Message
}

// handleNotFoundPage answers every unknown path with the 404 page, and
// known paths asked with another method than GET with 405.
func (s *Server) handleNotFoundPage(w http.ResponseWriter, r *http.Request) {
	if s.methodNotAllowed(w, r) {
		s.render(w, r, http.StatusMethodNotAllowed, "error", errorPage{
			page:    page{Title: "Phương thức không được hỗ trợ"},
			Status:  http.StatusMethodNotAllowed,
			Heading: "Phương thức không được hỗ trợ",
			Message: "Trang này chỉ cho phép xem (GET).",
		})
		return
	}
	s.render(w, r, http.StatusNotFound, "error", errorPage{
		page:    page{Title: "Không tìm thấy trang"},
		Status:  http.StatusNotFound,
		Heading: "Không tìm thấy trang",
		Message: "Địa chỉ này không có trên diembao. Hãy quay lại trang tìm kiếm.",
	})
}

// articlePage is the data of article.html.
type articlePage struct {
	page
	A             *diembao.Article
	Source        string
	Original      string
	Published     string
	PublishedISO  string
	Precision     string
	PublishedFrom string
	Fetched       string
	FetchedISO    string
	PageDate      string
	Attribution   string
}

// handleArticlePage serves GET /articles/{id}: the article's clean text.
func (s *Server) handleArticlePage(w http.ResponseWriter, r *http.Request) {
	a, err := s.findArticle(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := articlePage{
		page:          page{Title: a.Title},
		A:             a,
		Source:        a.SourceName,
		Original:      externalURL(a.URL),
		Published:     publishedTime(a),
		PublishedISO:  isoTime(a.Published),
		Precision:     precisionLabel(a.PublishedPrecision),
		PublishedFrom: publishedFromLabel(a.PublishedFrom),
		Fetched:       vnTime(a.FetchedAt),
		FetchedISO:    isoTime(a.FetchedAt),
		PageDate:      vnDate(a.PageDate),
		Attribution:   a.Attribution.String(),
	}
	if v.Source == "" && a.SourceID > 0 {
		ctx, cancel := s.requestContext(r)
		if src, err := s.sources.FindSourceByID(ctx, a.SourceID); err == nil && src != nil {
			v.Source = src.Name
		}
		cancel()
	}
	s.render(w, r, http.StatusOK, "article", v)
}

// sourceRow is one source on the sources page.
type sourceRow struct {
	Src            *diembao.Source
	Homepage       string
	Feeds          []string
	Kind           string
	Status         string
	StatusLabel    string
	LastSuccess    string
	LastSuccessISO string
	LastAttempt    string
	LastAttemptISO string
}

// sourcesPage is the data of sources.html.
type sourcesPage struct {
	page
	Rows []sourceRow
	// Total is the number of sources, whatever the filter.
	Total int
	// Filter is the status the list is restricted to ("" for all).
	Filter string
	// Tabs are the status filters with their counts.
	Tabs []statusTab
}

// statusTab is one status filter of the sources page.
type statusTab struct {
	Status string
	Label  string
	Count  int
	URL    string
	Active bool
}

// statuses are the words of diembao.SourceHealth.Status, in display order.
var statuses = []string{"failing", "silent", "ok", "new"}

// parseStatus reads a status filter: "" or one of statuses.
func parseStatus(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || slices.Contains(statuses, v) {
		return v, nil
	}
	return "", invalid("Unknown status %q: use ok, failing, silent or new.", v)
}

// handleSourcesPage serves GET /sources: every outlet with its health,
// optionally only those of one status (?status=failing).
func (s *Server) handleSourcesPage(w http.ResponseWriter, r *http.Request) {
	filter, err := parseStatus(r.URL.Query().Get("status"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	ctx, cancel := s.requestContext(r)
	defer cancel()
	all, err := s.sources.FindSources(ctx)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := sourcesPage{page: page{Title: "Nguồn tin", Nav: "sources"}, Filter: filter}
	counts := map[string]int{}
	for _, src := range all {
		if src == nil {
			continue
		}
		st := src.Health.Status()
		counts[st]++
		v.Total++
		if filter != "" && st != filter {
			continue
		}
		row := sourceRow{
			Src:            src,
			Homepage:       externalURL(src.Homepage),
			Kind:           kindLabel(src.Kind),
			Status:         st,
			StatusLabel:    statusLabel(st),
			LastSuccess:    vnTime(src.Health.LastSuccess),
			LastSuccessISO: isoTime(src.Health.LastSuccess),
			LastAttempt:    vnTime(src.Health.LastAttempt),
			LastAttemptISO: isoTime(src.Health.LastAttempt),
		}
		row.Feeds = append(row.Feeds, src.Feeds...)
		v.Rows = append(v.Rows, row)
	}
	v.Tabs = append(v.Tabs, statusTab{Label: "Tất cả", Count: v.Total, URL: "/sources", Active: filter == ""})
	for _, st := range statuses {
		v.Tabs = append(v.Tabs, statusTab{Status: st, Label: statusLabel(st), Count: counts[st],
			URL: "/sources?status=" + st, Active: filter == st})
	}
	s.render(w, r, http.StatusOK, "sources", v)
}

// sourceNames returns the names of the stored sources by ID, for labelling
// source facets; it returns an empty map when the sources cannot be read.
func (s *Server) sourceNames(ctx context.Context) map[string]string {
	names := map[string]string{}
	all, err := s.sources.FindSources(ctx)
	if err != nil {
		s.logger.Warn("http: find sources for facet labels", "err", err)
		return names
	}
	for _, src := range all {
		if src != nil {
			names[strconv.FormatInt(src.ID, 10)] = src.Name
		}
	}
	return names
}

// withParams returns "/?" plus v with the given parameters set (or removed
// when their value is ""); the cursor and page number are always dropped,
// since any change of query starts at the first page.
func withParams(v url.Values, kv ...string) string {
	c := url.Values{}
	for k, vals := range v {
		if k == "cursor" || k == "page" {
			continue
		}
		for _, x := range vals {
			if strings.TrimSpace(x) != "" {
				c.Add(k, x)
			}
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			c.Del(kv[i])
		} else {
			c.Set(kv[i], kv[i+1])
		}
	}
	return "/?" + c.Encode()
}
