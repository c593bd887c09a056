// Package demosite serves diembao's offline demo: three fictional Vietnamese
// news outlets, each on its own loopback port, with article pages, section
// pages, RSS or Atom feeds, sitemaps and robots.txt.
//
// Every article is written for diembao and stored as data under articles/.
// The outlets differ the way real ones do: a modern CMS with JSON-LD and an
// <article> element, an old table-based provincial portal that prints the
// day's date in its header and the dateline only in the lead, and a site
// whose metadata lives in meta tags with the sapo in its own div. Some
// articles are republished by another outlet with a "Nguồn …", "Theo …" or
// bare "(…)" attribution line, one archived page is served in the legacy
// TCVN3 encoding under a charset that does not declare it, and one page is
// built on the structure of a captured provincial page (see Article.Seed).
//
// The crawler must be allowed to fetch loopback addresses to read the site;
// only the demo does that.
package demosite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/diembao/diembao"
)

// Collection is the collection every demo source belongs to.
const Collection = "demo"

// Article is one article page of the demo site together with what a correct
// extraction finds in it.
type Article struct {
	// Article is the gold extraction: URL, SourceName, Title, Sapo, Body,
	// Captions, Author, Attribution, Published (with precision and where a
	// reader finds it), PageDate, Section, Tags and Language.
	diembao.Article

	// Seed is set on the page built on the structure of the captured Báo Hà
	// Nam page: lead repeated at the top of the body, a photo caption, four
	// body paragraphs, "Nguồn Báo Hà Nam" and a "Các tin khác" list.
	Seed bool
	// Encoding names the legacy encoding the page is served in ("tcvn3"), or
	// "" for UTF-8.
	Encoding string
	// Original is the URL of the article this page republishes, or "" when
	// the page is not a syndicated copy of another demo article. A copy of
	// an outlet outside the demo (the seed page) has an Attribution but no
	// Original.
	Original string
}

// Site is a running demo site: one HTTP server per outlet on 127.0.0.1.
type Site struct {
	outlets  []*outlet
	servers  []*http.Server
	articles []Article
	wg       sync.WaitGroup
	stop     chan struct{} // closed by Close

	closeOnce sync.Once
	closeErr  error
}

// Start loads the demo articles and starts one HTTP listener per outlet on
// 127.0.0.1, so that each outlet is a host of its own. addrs, when given,
// are the listen addresses of the outlets in order (so that a later run
// serves the same URLs); an outlet without one gets a port chosen by the
// system. The site stops when ctx is done or Close is called.
func Start(ctx context.Context, addrs ...string) (*Site, error) {
	lib, err := load()
	if err != nil {
		return nil, err
	}
	s := &Site{stop: make(chan struct{})}
	listeners := make([]net.Listener, 0, len(lib.outlets))
	for i, o := range lib.outlets {
		addr := "127.0.0.1:0"
		if i < len(addrs) && addrs[i] != "" {
			addr = addrs[i]
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, fmt.Errorf("demosite: listen for %s: %w", o.Name, err)
		}
		listeners = append(listeners, ln)
		o.base = "http://" + ln.Addr().String()
	}
	// Render every outlet before serving any, so that a failure leaves
	// nothing running.
	handlers := make([]http.Handler, 0, len(lib.outlets))
	for _, o := range lib.outlets {
		h, err := newHandler(o)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return nil, err
		}
		handlers = append(handlers, h)
	}
	for i, h := range handlers {
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func(ln net.Listener) {
			defer s.wg.Done()
			_ = srv.Serve(ln) // returns http.ErrServerClosed on Close
		}(listeners[i])
	}
	s.outlets = lib.outlets
	s.articles = lib.gold()
	if done := ctx.Done(); done != nil {
		go func() {
			select {
			case <-done:
				s.Close()
			case <-s.stop:
			}
		}()
	}
	return s, nil
}

// Addrs returns the listen addresses of the outlets, in the order Start
// takes them.
func (s *Site) Addrs() []string {
	out := make([]string, len(s.outlets))
	for i, o := range s.outlets {
		out[i] = strings.TrimPrefix(o.base, "http://")
	}
	return out
}

// Sources returns the demo outlets as sources pointing at the live local
// URLs: name, homepage, feeds, sitemaps, kind, province, collections
// ("demo") and enabled.
func (s *Site) Sources() []diembao.Source {
	out := make([]diembao.Source, 0, len(s.outlets))
	for _, o := range s.outlets {
		out = append(out, o.source())
	}
	return out
}

// Articles returns every article page a complete crawl of the site should
// find, with its gold extraction, ordered by outlet and publication time.
// The slice is a copy.
func (s *Site) Articles() []Article {
	out := make([]Article, len(s.articles))
	for i, a := range s.articles {
		out[i] = a
		out[i].Body = append([]diembao.Paragraph(nil), a.Body...)
		out[i].Captions = append([]string(nil), a.Captions...)
		out[i].Tags = append([]string(nil), a.Tags...)
		if a.Attribution != nil {
			at := *a.Attribution
			out[i].Attribution = &at
		}
	}
	return out
}

// Close stops every outlet's server and waits for them to finish. It is safe
// to call more than once.
func (s *Site) Close() error {
	s.closeOnce.Do(func() {
		close(s.stop)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		for _, srv := range s.servers {
			if err := srv.Shutdown(ctx); err != nil {
				errs = append(errs, err)
				srv.Close()
			}
		}
		s.wg.Wait()
		if err := errors.Join(errs...); err != nil {
			s.closeErr = fmt.Errorf("demosite: close: %w", err)
		}
	})
	return s.closeErr
}
