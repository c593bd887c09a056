package http

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// embedded holds the page templates and the static files served under
// /static/.
//
//go:embed templates/*.html static/*
var embedded embed.FS

// asset is one static file held in memory with its content type and a
// content hash used as ETag and cache-busting version.
type asset struct {
	data        []byte
	contentType string
	hash        string
}

// assetSet is the static files by name.
type assetSet struct {
	files map[string]*asset
}

// loadAssets reads the embedded static files.
func loadAssets() (*assetSet, error) {
	entries, err := fs.ReadDir(embedded, "static")
	if err != nil {
		return nil, fmt.Errorf("read static files: %w", err)
	}
	set := &assetSet{files: make(map[string]*asset, len(entries))}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := fs.ReadFile(embedded, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read static file %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(data)
		ct := mime.TypeByExtension(path.Ext(e.Name()))
		if ct == "" {
			ct = http.DetectContentType(data)
		}
		if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
			ct += "; charset=utf-8"
		}
		set.files[e.Name()] = &asset{data: data, contentType: ct, hash: hex.EncodeToString(sum[:8])}
	}
	return set, nil
}

// url returns the address of the named static file with its version, for
// templates: "/static/style.css?v=…".
func (a *assetSet) url(name string) (string, error) {
	f, ok := a.files[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + name + "?v=" + f.hash, nil
}

// handleAsset serves GET /static/{name}. Versioned addresses are cached for a
// year; every answer carries an ETag.
func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := s.assets.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveAsset(w, r, f)
}

// handleFavicon serves /favicon.ico from the embedded icon.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) {
	f, ok := s.assets.files["favicon.svg"]
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.serveAsset(w, r, f)
}

// serveAsset writes f with caching headers, answering 304 when the client
// holds the same version.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, f *asset) {
	h := w.Header()
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	h.Set("Content-Type", f.contentType)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(f.data)
}
