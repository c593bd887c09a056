package demosite

import (
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/diembao/diembao"
)

// articleFS holds the demo articles, one TOML file per article, in a folder
// per outlet (the folder name is the outlet's id, the file name the slug).
//
//go:embed articles
var articleFS embed.FS

// The page layouts of the demo outlets.
const (
	layoutModern = "modern" // CMS with JSON-LD, <article>, RSS, sitemap index
	layoutPortal = "portal" // table-based provincial portal, header date, RSS
	layoutMeta   = "meta"   // meta tags, sapo div, Atom feed
)

// outlet is one fictional outlet of the demo site.
type outlet struct {
	ID       string
	Name     string
	Layout   string
	Kind     diembao.SourceKind
	Province string
	// Tagline is printed under the masthead.
	Tagline string
	// Sections lists the outlet's sections in menu order.
	Sections []string
	// CrawlDate is the day the site's header prints (the portal prints the
	// date a page was rendered, not the article's date).
	CrawlDate time.Time

	base     string     // http://127.0.0.1:port, set when listening
	articles []*article // newest first
}

// outletDefs returns the demo outlets. The names are invented; none is a
// real outlet.
func outletDefs() []*outlet {
	return []*outlet{
		{
			ID:       "songhong",
			Name:     "Báo Sông Hồng Demo",
			Layout:   layoutModern,
			Kind:     diembao.KindNational,
			Tagline:  "Tin tức thời sự, kinh tế, xã hội — bản trình diễn",
			Sections: []string{"Thời sự", "Kinh tế", "Xã hội", "Giáo dục", "Sức khỏe", "Văn hóa", "Thể thao"},
		},
		{
			ID:        "chaugiang",
			Name:      "Trang tin Điện tử Châu Giang Demo",
			Layout:    layoutPortal,
			Kind:      diembao.KindProvincial,
			Province:  "Hà Nam",
			Tagline:   "Cơ quan của Ban Biên tập Trang tin Châu Giang (bản trình diễn)",
			Sections:  []string{"Tin hoạt động", "Kinh tế", "Nông nghiệp - Nông thôn", "Văn hóa - Xã hội", "Lưu trữ"},
			CrawlDate: time.Date(2020, 1, 20, 0, 0, 0, 0, diembao.Vietnam),
		},
		{
			ID:       "phuongnam",
			Name:     "Nhật báo Phương Nam Demo",
			Layout:   layoutMeta,
			Kind:     diembao.KindNational,
			Tagline:  "Đồng bằng — Kinh tế — Đời sống",
			Sections: []string{"Kinh tế", "Nông nghiệp", "Giao thông", "Đời sống", "Thời tiết", "Thể thao"},
		},
	}
}

// articleFile is the TOML form of one article.
type articleFile struct {
	Section   string    `toml:"section"`
	Title     string    `toml:"title"`
	Sapo      string    `toml:"sapo"`
	Published time.Time `toml:"published"`
	Author    string    `toml:"author"`
	Tags      []string  `toml:"tags"`
	Caption   string    `toml:"caption"`
	Body      []string  `toml:"body"`
	// Subheads lists body paragraphs (by text) printed as subheadings.
	Subheads []string `toml:"subheads"`
	// Attribution is the line printed under the body of a republished
	// article: "Nguồn Báo Hà Nam", "Theo Báo Sông Hồng Demo", "(X.vn)".
	Attribution string `toml:"attribution"`
	// CopyOf names the republished article as "outlet/slug"; empty fields
	// are taken from it.
	CopyOf string `toml:"copy_of"`
	// LeadInBody repeats the lead as the first body paragraph, as some
	// portals' editors pasted it.
	LeadInBody bool `toml:"lead_in_body"`
	// PageDate overrides the outlet's crawl date printed in the header.
	HeaderDate string `toml:"page_date"`
	// Encoding serves the page in a legacy encoding ("tcvn3").
	Encoding string `toml:"encoding"`
	// Seed marks the page built on the captured seed page.
	Seed bool `toml:"seed"`
}

// article is one loaded article bound to its outlet.
type article struct {
	articleFile
	Slug     string
	Outlet   *outlet
	Num      int
	PageDate time.Time
	Original *article
}

// library is the loaded demo: outlets and their articles.
type library struct {
	outlets []*outlet
	byKey   map[string]*article // "outlet/slug"
}

// load reads and checks the embedded articles.
func load() (*library, error) { return loadFS(articleFS) }

// loadFS reads and checks every article file of fsys (under articles/).
func loadFS(fsys fs.FS) (*library, error) {
	lib := &library{outlets: outletDefs(), byKey: map[string]*article{}}
	byID := map[string]*outlet{}
	for _, o := range lib.outlets {
		byID[o.ID] = o
	}
	var all []*article
	err := fs.WalkDir(fsys, "articles", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".toml" {
			return err
		}
		o := byID[path.Base(path.Dir(p))]
		if o == nil {
			return fmt.Errorf("demosite: %s: folder names no outlet", p)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("demosite: %w", err)
		}
		var f articleFile
		md, err := toml.Decode(string(data), &f)
		if err != nil {
			return fmt.Errorf("demosite: %s: %w", p, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return fmt.Errorf("demosite: %s: unknown key %q", p, und[0].String())
		}
		a := &article{articleFile: f, Slug: strings.TrimSuffix(path.Base(p), ".toml"), Outlet: o}
		a.Num = number(o.ID + "/" + a.Slug)
		lib.byKey[o.ID+"/"+a.Slug] = a
		all = append(all, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if err := lib.resolve(a); err != nil {
			return nil, err
		}
	}
	nums := map[string]string{}
	for _, a := range all {
		key := fmt.Sprintf("%s/%d", a.Outlet.ID, a.Num)
		if other, ok := nums[key]; ok {
			return nil, fmt.Errorf("demosite: %s/%s and %s share the number %d; rename one", a.Outlet.ID, a.Slug, other, a.Num)
		}
		nums[key] = a.Slug
		a.Outlet.articles = append(a.Outlet.articles, a)
	}
	for _, o := range lib.outlets {
		if len(o.articles) == 0 {
			return nil, fmt.Errorf("demosite: outlet %s has no article", o.ID)
		}
		slices.SortFunc(o.articles, func(x, y *article) int {
			if c := y.Published.Compare(x.Published); c != 0 {
				return c
			}
			return strings.Compare(x.Slug, y.Slug)
		})
	}
	return lib, nil
}

// resolve fills a syndicated copy from its original and checks the article.
func (lib *library) resolve(a *article) error {
	name := a.Outlet.ID + "/" + a.Slug
	if a.CopyOf != "" {
		orig := lib.byKey[a.CopyOf]
		if orig == nil || orig.CopyOf != "" {
			return fmt.Errorf("demosite: %s: copy_of %q names no original article", name, a.CopyOf)
		}
		a.Original = orig
		if a.Title == "" {
			a.Title = orig.Title
		}
		if a.Sapo == "" {
			a.Sapo = orig.Sapo
		}
		if len(a.Body) == 0 {
			a.Body = orig.Body
			a.Subheads = orig.Subheads
		}
		if a.Caption == "" {
			a.Caption = orig.Caption
		}
		if len(a.Tags) == 0 {
			a.Tags = orig.Tags
		}
		if a.Attribution == "" {
			return fmt.Errorf("demosite: %s: a copy needs an attribution line", name)
		}
	}
	switch {
	case a.Title == "", a.Sapo == "", len(a.Body) == 0, a.Published.IsZero():
		return fmt.Errorf("demosite: %s: title, sapo, body and published are required", name)
	case !slices.Contains(a.Outlet.Sections, a.Section):
		return fmt.Errorf("demosite: %s: section %q is not one of %s's", name, a.Section, a.Outlet.Name)
	case a.Encoding != "" && a.Encoding != "tcvn3":
		return fmt.Errorf("demosite: %s: unknown encoding %q", name, a.Encoding)
	case a.Outlet.Layout != layoutPortal && (a.Encoding != "" || a.HeaderDate != "" || a.LeadInBody):
		return fmt.Errorf("demosite: %s: encoding, page_date and lead_in_body are quirks of the portal layout only", name)
	}
	a.Published = a.Published.In(diembao.Vietnam)
	if a.Outlet.Layout == layoutPortal {
		if !hasDateline(a.Sapo, a.Published) {
			return fmt.Errorf("demosite: %s: a portal lead must open with the dateline of %s", name, a.Published.Format("2/1"))
		}
		a.PageDate = a.Outlet.CrawlDate
		if a.PageDate.IsZero() {
			a.PageDate = a.Published
		}
		if a.PageDate.Before(a.Published) {
			a.PageDate = a.Published
		}
	}
	if hd := a.HeaderDate; hd != "" {
		d, err := time.ParseInLocation("2006-01-02", hd, diembao.Vietnam)
		if err != nil {
			return fmt.Errorf("demosite: %s: page_date: %w", name, err)
		}
		if d.Before(truncateDay(a.Published)) {
			return fmt.Errorf("demosite: %s: page_date %s is before the article", name, hd)
		}
		a.PageDate = d
	}
	a.PageDate = truncateDay(a.PageDate)
	return nil
}

// datelineRE finds the "d/m" of a dateline near the start of a lead
// ("Chiều 10/1, …", "(PN) - Sáng 6/1, …").
var datelineRE = regexp.MustCompile(`^(?:\S+\s+){0,3}?(\d{1,2})/(\d{1,2})(?:/\d{4})?\b`)

// hasDateline reports whether lead opens with a dateline of t's day.
func hasDateline(lead string, t time.Time) bool {
	m := datelineRE.FindStringSubmatch(lead)
	if m == nil {
		return false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	return d == t.Day() && mo == int(t.Month())
}

// truncateDay returns midnight of t's day in Vietnam (zero stays zero).
func truncateDay(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	t = t.In(diembao.Vietnam)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, diembao.Vietnam)
}

// number derives a stable article number from its key, so that adding an
// article does not renumber the others.
func number(key string) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return 100000 + int(h.Sum32()%900000)
}

// parseAttribution splits a printed attribution line.
func parseAttribution(line string) *diembao.Attribution {
	line = strings.TrimSpace(line)
	switch {
	case line == "":
		return nil
	case strings.HasPrefix(line, "(") && strings.HasSuffix(line, ")"):
		return &diembao.Attribution{Outlet: strings.TrimSpace(line[1 : len(line)-1])}
	}
	for _, kind := range []string{"Nguồn:", "Nguồn", "Theo"} {
		if rest, ok := strings.CutPrefix(line, kind+" "); ok {
			return &diembao.Attribution{Kind: strings.TrimSuffix(kind, ":"), Outlet: strings.TrimSpace(rest)}
		}
	}
	return &diembao.Attribution{Outlet: line}
}
