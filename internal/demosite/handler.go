package demosite

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

// response is one prerendered resource.
type response struct {
	contentType string
	body        []byte
}

// handler serves one outlet from prerendered responses.
type handler struct {
	pages map[string]response // by path, or path?query for the portal
}

// ServeHTTP answers GET and HEAD requests for the outlet's resources.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := r.URL.Path
	if strings.EqualFold(key, portalPage) {
		key = portalKey(r.URL.Query().Get("ID"), r.URL.Query().Get("CateID"))
	}
	res, ok := h.pages[key]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", res.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(res.body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(res.body)
}

// portalKey is the lookup key of a portal page: an article by its ID, or a
// category listing, or the home page.
func portalKey(id, cate string) string {
	switch {
	case id != "":
		return portalPage + "#ID=" + id
	case cate != "":
		return portalPage + "#CateID=" + cate
	}
	return "/"
}

// link is an entry of a list: menus, related news, listings.
type link struct {
	URL, Title, Sapo, Date string
	Active                 bool
}

// para is a body paragraph of a page.
type para struct {
	Text    string
	Heading bool
}

// view is what the article and listing templates see.
type view struct {
	Outlet     *outlet
	Home       string
	Menu       []link
	HeaderDate string
	Year       int

	// Article pages.
	URL, Title, Sapo, Section, SectionURL string
	Author, Caption, Image, Attribution   string
	Published, PublishedISO, PubDay       string
	Body                                  []para
	LeadInBody                            bool
	Tags                                  []link
	JSONLD                                template.JS
	Related, Others, Most                 []link

	// Listing pages.
	Heading string
	List    []link
}

// newHandler prerenders every resource of outlet o.
func newHandler(o *outlet) (http.Handler, error) {
	tmpl, err := template.New(o.Layout).ParseFS(templateFS, "templates/"+o.Layout+".html")
	if err != nil {
		return nil, fmt.Errorf("demosite: templates: %w", err)
	}
	h := &handler{pages: map[string]response{}}
	const htmlType = "text/html; charset=utf-8"

	render := func(name string, v *view) ([]byte, error) {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, v); err != nil {
			return nil, fmt.Errorf("demosite: render %s %s: %w", o.ID, name, err)
		}
		return b.Bytes(), nil
	}

	// Home and section listings.
	home := o.baseView("")
	home.Heading = "Tin mới nhất"
	home.List = o.links(o.articles, "")
	body, err := render("list", home)
	if err != nil {
		return nil, err
	}
	h.pages["/"] = response{htmlType, body}
	for _, sec := range o.Sections {
		v := o.baseView(sec)
		v.Heading = sec
		var list []*article
		for _, a := range o.articles {
			if a.Section == sec {
				list = append(list, a)
			}
		}
		v.List = o.links(list, "")
		if body, err = render("list", v); err != nil {
			return nil, err
		}
		h.pages[o.pageKey(o.sectionPath(sec))] = response{htmlType, body}
	}

	// Tag listings.
	tags := map[string][]*article{}
	var tagOrder []string
	for _, a := range o.articles {
		for _, t := range a.Tags {
			p := o.tagPath(t)
			if p == "" {
				continue
			}
			if tags[p] == nil {
				tagOrder = append(tagOrder, t)
			}
			tags[p] = append(tags[p], a)
		}
	}
	for _, t := range tagOrder {
		v := o.baseView("")
		v.Heading = t
		v.List = o.links(tags[o.tagPath(t)], "")
		if body, err = render("list", v); err != nil {
			return nil, err
		}
		h.pages[o.tagPath(t)] = response{htmlType, body}
	}

	// Static assets the pages refer to.
	h.pages["/Portals/0/banner.gif"] = response{"image/gif", []byte(placeholderGIF)}
	h.pages["/Portals/_default/default.css"] = response{"text/css; charset=utf-8", []byte("body { font-family: Arial, sans-serif; font-size: 12px }\n")}

	// Article pages and their photos.
	for _, a := range o.articles {
		v := o.articleView(a)
		name := "article"
		if a.Encoding != "" {
			name = "legacy"
		}
		if body, err = render(name, v); err != nil {
			return nil, err
		}
		res := response{htmlType, body}
		if a.Encoding != "" {
			// Old sites stored TCVN3 bytes and let the server declare
			// Windows-1252: the charset does not name the encoding.
			enc, err := encodeLegacy(string(body), a.Encoding)
			if err != nil {
				return nil, fmt.Errorf("demosite: encode %s/%s: %w", o.ID, a.Slug, err)
			}
			res = response{"text/html; charset=windows-1252", enc}
		}
		h.pages[o.pageKey(a.path())] = res
		h.pages[strings.TrimPrefix(a.imageURL(), o.base)] = response{"image/gif", []byte(placeholderGIF)}
	}

	// Feeds, sitemaps and robots.txt.
	feeds, err := o.feedResponses()
	if err != nil {
		return nil, err
	}
	for k, v := range feeds {
		h.pages[k] = v
	}
	h.pages["/robots.txt"] = response{"text/plain; charset=utf-8", o.robots()}
	return h, nil
}

// pageKey turns a path (with the portal's query) into a handler key.
func (o *outlet) pageKey(p string) string {
	path, query, ok := strings.Cut(p, "?")
	if !ok || path != portalPage {
		return path
	}
	var id, cate string
	for _, kv := range strings.Split(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "ID":
			id = v
		case "CateID":
			cate = v
		}
	}
	return portalKey(id, cate)
}

// baseView fills the parts every page of the outlet shares.
func (o *outlet) baseView(section string) *view {
	v := &view{Outlet: o, Home: o.base + "/", Year: 2020}
	for _, s := range o.Sections {
		v.Menu = append(v.Menu, link{URL: o.base + o.sectionPath(s), Title: s, Active: s == section})
	}
	day := o.CrawlDate
	if day.IsZero() {
		day = time.Date(2020, 1, 20, 0, 0, 0, 0, o.articles[0].Published.Location())
	}
	v.HeaderDate = portalDate(day)
	// "Đọc nhiều": a fixed pick of the outlet's articles.
	for i, a := range o.articles {
		if i%3 == 1 && len(v.Most) < 5 {
			v.Most = append(v.Most, link{URL: a.URL(), Title: a.Title})
		}
	}
	return v
}

// links lists articles as links, leaving out the page's own URL.
func (o *outlet) links(list []*article, self string) []link {
	var out []link
	for _, a := range list {
		if a.URL() == self {
			continue
		}
		out = append(out, link{URL: a.URL(), Title: a.Title, Sapo: a.Sapo, Date: a.Published.Format("02/01/2006")})
	}
	return out
}

// articleView fills the view of one article page.
func (o *outlet) articleView(a *article) *view {
	v := o.baseView(a.Section)
	v.URL = a.URL()
	v.Title = a.Title
	v.Sapo = a.Sapo
	v.Section = a.Section
	v.SectionURL = o.base + o.sectionPath(a.Section)
	v.Author = a.Author
	v.Caption = a.Caption
	v.Image = a.imageURL()
	v.Attribution = a.Attribution
	v.Published = modernDate(a.Published)
	if o.Layout == layoutMeta {
		v.Published = metaDate(a.Published)
	}
	v.PublishedISO = a.Published.Format(time.RFC3339)
	v.PubDay = a.Published.Format("02/01/2006")
	v.LeadInBody = a.LeadInBody
	for _, t := range a.Tags {
		tl := link{Title: t}
		if p := o.tagPath(t); p != "" {
			tl.URL = o.base + p
		}
		v.Tags = append(v.Tags, tl)
	}
	if !a.PageDate.IsZero() {
		v.HeaderDate = portalDate(a.PageDate)
	}
	for _, p := range a.Body {
		v.Body = append(v.Body, para{Text: p, Heading: a.isSubhead(p)})
	}
	// "Tin liên quan": the section's other articles; "Các tin khác": the
	// articles published before this one, newest first, topped up with
	// newer ones on the oldest pages.
	var same, older, newer []*article
	for _, b := range o.articles {
		switch {
		case b == a:
			continue
		case b.Section == a.Section && len(same) < 3:
			same = append(same, b)
		}
		if b.Published.Before(a.Published) {
			older = append(older, b)
		} else {
			newer = append(newer, b)
		}
	}
	others := older
	for i := len(newer) - 1; i >= 0 && len(others) < 6; i-- {
		others = append(others, newer[i])
	}
	if len(others) > 6 {
		others = others[:6]
	}
	v.Related = o.links(same, v.URL)
	v.Others = o.links(others, v.URL)
	if o.Layout == layoutModern {
		v.JSONLD = jsonLD(a)
	}
	return v
}

// jsonLD returns the NewsArticle JSON-LD of an article of the modern layout.
func jsonLD(a *article) template.JS {
	type person struct {
		Type string `json:"@type"`
		Name string `json:"name"`
	}
	doc := map[string]any{
		"@context":         "https://schema.org",
		"@type":            "NewsArticle",
		"mainEntityOfPage": a.URL(),
		"headline":         a.Title,
		"description":      a.Sapo,
		"datePublished":    a.Published.Format(time.RFC3339),
		"dateModified":     a.Published.Add(47 * time.Minute).Format(time.RFC3339),
		"articleSection":   a.Section,
		"keywords":         strings.Join(a.Tags, ", "),
		"inLanguage":       "vi",
		"image":            []string{a.imageURL()},
		"publisher":        person{"Organization", a.Outlet.Name},
	}
	if a.Author != "" {
		doc["author"] = []person{{"Person", a.Author}}
	}
	b, _ := json.Marshal(doc) // a map of strings cannot fail to marshal
	return template.JS(b)
}

// placeholderGIF is a 1×1 grey GIF served for every photo.
const placeholderGIF = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xcc\xcc\xcc\x00\x00\x00" +
	"!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
