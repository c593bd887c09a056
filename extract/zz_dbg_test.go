package extract

import (
	"compress/gzip"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
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
