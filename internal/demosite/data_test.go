package demosite

import (
	"strings"
	"testing"
	"testing/fstest"
)

// minimalFS returns one valid article per outlet, with extra files added.
func minimalFS(extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"articles/songhong/a.toml": {Data: []byte(`section = "Thời sự"
title = "Tin A"
sapo = "Sapo A."
published = 2020-01-02T08:00:00+07:00
body = ["Đoạn một."]
`)},
		"articles/chaugiang/b.toml": {Data: []byte(`section = "Kinh tế"
title = "Tin B"
sapo = "Sáng 3/1, hội nghị họp."
published = 2020-01-03T09:00:00+07:00
body = ["Đoạn một."]
`)},
		"articles/phuongnam/c.toml": {Data: []byte(`section = "Kinh tế"
title = "Tin C"
sapo = "Sapo C."
published = 2020-01-04T10:00:00+07:00
body = ["Đoạn một."]
`)},
	}
	for name, data := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

func TestLoadErrors(t *testing.T) {
	const portal = "section = \"Kinh tế\"\ntitle = \"T\"\nbody = [\"x\"]\npublished = 2020-01-05T08:00:00+07:00\n"
	tests := []struct {
		name, file, data, want string
	}{
		{"unknown outlet", "articles/khac/x.toml", portal + "sapo = \"Sáng 5/1, x.\"\n", "names no outlet"},
		{"bad toml", "articles/chaugiang/x.toml", "title = \n", "chaugiang/x.toml"},
		{"unknown key", "articles/chaugiang/x.toml", portal + "sapo = \"Sáng 5/1, x.\"\nauthors = \"A\"\n", `unknown key "authors"`},
		{"no sapo", "articles/chaugiang/x.toml", portal, "required"},
		{"unknown section", "articles/chaugiang/x.toml", strings.Replace(portal, "Kinh tế", "Thế giới", 1) + "sapo = \"Sáng 5/1, x.\"\n", "section"},
		{"no dateline", "articles/chaugiang/x.toml", portal + "sapo = \"Hội nghị họp sáng nay.\"\n", "dateline"},
		{"wrong dateline", "articles/chaugiang/x.toml", portal + "sapo = \"Sáng 6/1, x.\"\n", "dateline of 5/1"},
		{"unknown encoding", "articles/chaugiang/x.toml", portal + "sapo = \"Sáng 5/1, x.\"\nencoding = \"vni\"\n", "unknown encoding"},
		{"quirk off the portal", "articles/phuongnam/x.toml", portal + "sapo = \"x.\"\nlead_in_body = true\n", "portal layout only"},
		{"page date before", "articles/chaugiang/x.toml", portal + "sapo = \"Sáng 5/1, x.\"\npage_date = \"2020-01-01\"\n", "before the article"},
		{"copy of nothing", "articles/phuongnam/x.toml", "copy_of = \"songhong/khong\"\nsection = \"Kinh tế\"\npublished = 2020-01-05T08:00:00+07:00\nattribution = \"Theo A\"\n", "names no original"},
		{"copy without attribution", "articles/phuongnam/x.toml", "copy_of = \"songhong/a\"\nsection = \"Kinh tế\"\npublished = 2020-01-05T08:00:00+07:00\n", "attribution"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFS(minimalFS(map[string]string{tt.file: tt.data}))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "demosite: ") {
				t.Errorf("loadFS error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestLoadCopy(t *testing.T) {
	lib, err := loadFS(minimalFS(map[string]string{
		"articles/phuongnam/x.toml": "copy_of = \"songhong/a\"\nsection = \"Kinh tế\"\npublished = 2020-01-05T08:00:00+07:00\nattribution = \"(A.vn)\"\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	x := lib.byKey["phuongnam/x"]
	a := lib.byKey["songhong/a"]
	if x.Original != a || x.Title != a.Title || x.Sapo != a.Sapo || strings.Join(x.Body, "\n") != strings.Join(a.Body, "\n") {
		t.Errorf("copy %+v does not take its original's text", x.articleFile)
	}
}

func TestLoadEmbedded(t *testing.T) {
	lib, err := load()
	if err != nil {
		t.Fatal(err)
	}
	seeds := 0
	for _, o := range lib.outlets {
		for i, a := range o.articles {
			if i > 0 && a.Published.After(o.articles[i-1].Published) {
				t.Errorf("%s: articles not newest first at %s", o.ID, a.Slug)
			}
			if a.Seed {
				seeds++
			}
			if len(a.Tags) == 0 {
				t.Errorf("%s/%s has no tags", o.ID, a.Slug)
			}
			if a.Author == "" && a.Attribution == "" {
				t.Errorf("%s/%s has neither byline nor attribution", o.ID, a.Slug)
			}
		}
	}
	if seeds != 1 {
		t.Errorf("%d seed articles, want 1", seeds)
	}
}
