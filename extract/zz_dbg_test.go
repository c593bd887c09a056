package extract

import (
	"compress/gzip"
	"encoding/json"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

func path(n *node) string {
	var parts []string
	for ; n != nil; n = n.parent {
		parts = append([]string{fmt.Sprintf("%s.%s[%d]", n.name, strings.ReplaceAll(n.attr("class"), " ", "."), n.boiler)}, parts...)
	}
	return strings.Join(parts, " > ")
}

func TestZZDebug(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	if strings.HasSuffix(f, ".gz") {
		zr, _ := gzip.NewReader(bytes.NewReader(b))
		b, _ = io.ReadAll(zr)
	}
	text, _ := Decode(b, nil)
	root, jsonld := parse(text)
	measure(root, false)
	meta := collectMeta(root, jsonld)
	markBoilerplate(root, nil)
	measureBody(root)
	x := &state{root: root, meta: meta, fetched: time.Time{}}
	x.findTitle()
	fl := &flow{curN: root}
	fl.run(root, false, false, false)
	fl.flush()
	x.blocks = fl.blocks
	x.findSapoNode()
	x.findContainer()
	fmt.Println("title:", x.title, path(x.titleNode))
	fmt.Println("sapo:", path(x.sapoNode))
	fmt.Println("container:", path(x.container))
	if s := os.Getenv("FIND"); s != "" {
		walk(root, func(n *node) bool {
			if n.isText() && strings.Contains(n.text, s) {
				fmt.Println("found:", path(n.parent))
			}
			return true
		})
	}
}

func TestZZText(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	zr, _ := gzip.NewReader(bytes.NewReader(b))
	b, _ = io.ReadAll(zr)
	root, _ := parse(b)
	walk(root, func(n *node) bool {
		if n.isText() && strings.Contains(n.text, os.Getenv("FIND")) {
			fmt.Printf("len=%d parent=%s children=%d\n%.300q\n", len(n.text), n.parent.name, len(n.parent.children), n.text)
		}
		return true
	})
}

func TestZZTok(t *testing.T) {
	f := os.Getenv("DBG")
	if f == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(f)
	zr, _ := gzip.NewReader(bytes.NewReader(b))
	b, _ = io.ReadAll(zr)
	z := html.NewTokenizer(bytes.NewReader(b))
	n := 0
	for {
		tt := z.Next()
		n++
		if tt == html.ErrorToken {
			fmt.Println("err", z.Err(), n, len(b))
			return
		}
		if tt == html.StartTagToken {
			name, _ := z.TagName()
			if n > 130 {
				fmt.Println("tag", n, string(name), string(z.Raw())[:min(200, len(z.Raw()))])
			}
		}
	}
}

func TestZZSnip(t *testing.T) {
	list := os.Getenv("SNIPFILES")
	if list == "" {
		t.Skip()
	}
	raw, _ := os.ReadFile("/work/shared/data/extraction-multilingual/evaldata.json")
	var set map[string]struct {
		File    string   `json:"file"`
		With    []string `json:"with"`
		Without []string `json:"without"`
	}
	json.Unmarshal(raw, &set)
	for _, f := range strings.Fields(list) {
		for _, g := range set {
			if g.File != f {
				continue
			}
			b, _ := os.ReadFile("/work/shared/data/extraction-multilingual/pages/" + f + ".gz")
			zr, _ := gzip.NewReader(bytes.NewReader(b))
			b, _ = io.ReadAll(zr)
			text, _ := Decode(b, nil)
			root, jsonld := parse(text)
			measure(root, false)
			meta := collectMeta(root, jsonld)
			markBoilerplate(root, nil)
	measureBody(root)
			x := &state{root: root, meta: meta}
			x.findTitle()
			fl := &flow{curN: root}
			fl.run(root, false, false, false)
			fl.flush()
			x.blocks = fl.blocks
			x.findSapoNode()
			x.findContainer()
			fmt.Println("=====", f)
			fmt.Println("  container:", short(x.container), "extra", len(x.extra))
			for _, kind := range []string{"with", "without"} {
				ss := g.With
				if kind == "without" {
					ss = g.Without
				}
				for _, s := range ss {
					key := s
					if len(key) > 18 {
						key = key[:18]
					}
					found := false
					walk(root, func(n *node) bool {
						if n.isText() && strings.Contains(n.text, key) {
							found = true
							in := x.container != nil && x.inBody(n)
							fmt.Printf("  %s %.30q in=%v  %s\n", kind, s, in, short(n.parent))
						}
						return true
					})
					if !found {
						fmt.Printf("  %s %.30q NOT IN TREE\n", kind, s)
					}
				}
			}
		}
	}
}

func short(n *node) string {
	var parts []string
	for i := 0; n != nil && i < 7; n, i = n.parent, i+1 {
		c := n.attr("class")
		if len(c) > 30 {
			c = c[:30]
		}
		parts = append([]string{fmt.Sprintf("%s.%s[%d|%d/%d/%d]", n.name, strings.ReplaceAll(c, " ", "."), n.boiler, n.textLen, n.linkLen, n.ptext)}, parts...)
	}
	return strings.Join(parts, ">")
}
