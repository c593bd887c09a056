// Package http is stage 8 of the pipeline: it delivers the archive to the
// people and programs that read it, as a Vietnamese web interface (search,
// article view, sources and their health) and a JSON API, both built on the
// service interfaces of the root package.
//
// Importers alias the package diembaohttp. Templates, the style sheet and the
// one small script are embedded in the binary; nothing is loaded from another
// site. Text extracted from news pages is always rendered as escaped text,
// never as HTML.
package http

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/diembao/diembao"
)

// DefaultRequestTimeout bounds how long one request may spend in the
// services when Config.RequestTimeout is zero.
const DefaultRequestTimeout = 15 * time.Second

// Config holds what a Server needs: the services it reads from and a logger.
type Config struct {
	// Search answers queries. Required.
	Search diembao.SearchService
	// Articles finds and counts stored articles. Required.
	Articles diembao.ArticleService
	// Sources lists the outlets and their health. Required.
	Sources diembao.SourceService
	// Logger receives request errors and internal failures; nil discards.
	Logger *slog.Logger
	// RequestTimeout bounds the time one request may spend in the
	// services; zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Discover, when set, finds the feeds of sources added through the
	// API without any.
	Discover DiscoverFunc
}

// Server is the web interface and JSON API. It implements http.Handler.
type Server struct {
	search   diembao.SearchService
	articles diembao.ArticleService
	sources  diembao.SourceService
	discover DiscoverFunc
	logger   *slog.Logger
	timeout  time.Duration

	mux    *http.ServeMux
	pages  map[string]*template.Template
	assets *assetSet
}

// NewServer returns a Server over the services of cfg. It fails when a
// required service is missing or the embedded templates do not parse.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Search == nil || cfg.Articles == nil || cfg.Sources == nil {
		return nil, errors.New("http: new server: Search, Articles and Sources services are required")
	}
	s := &Server{
		search:   cfg.Search,
		articles: cfg.Articles,
		sources:  cfg.Sources,
		discover: cfg.Discover,
		logger:   cfg.Logger,
		timeout:  cfg.RequestTimeout,
		mux:      http.NewServeMux(),
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, fmt.Errorf("http: new server: %w", err)
	}
	if s.pages, err = s.parsePages(); err != nil {
		return nil, fmt.Errorf("http: new server: %w", err)
	}
	s.routes()
	return s, nil
}

// routes registers every endpoint on the server's mux.
func (s *Server) routes() {
	// Web interface.
	s.mux.HandleFunc("GET /{$}", s.handleSearchPage)
	s.mux.HandleFunc("GET /articles/{id}", s.handleArticlePage)
	s.mux.HandleFunc("GET /sources", s.handleSourcesPage)
	s.mux.HandleFunc("GET /static/{name}", s.handleAsset)
	s.mux.HandleFunc("GET /favicon.ico", s.handleFavicon)
	s.mux.HandleFunc("/", s.handleNotFoundPage)

	// JSON API.
	s.mux.HandleFunc("GET /api/v1/search", s.handleAPISearch)
	s.mux.HandleFunc("GET /api/v1/articles/{id}", s.handleAPIArticle)
	s.mux.HandleFunc("GET /api/v1/sources", s.handleAPISources)
	s.mux.HandleFunc("POST /api/v1/sources", s.handleAPICreateSource)
	s.mux.HandleFunc("DELETE /api/v1/sources/{id}", s.handleAPIDeleteSource)
	s.mux.HandleFunc("/api/", s.handleAPINotFound)
	s.mux.HandleFunc("GET /healthz", s.handleHealthz)
}

// ServeHTTP implements http.Handler: it sets the security headers, recovers
// from panics in handlers, dispatches the request and logs it at debug
// level (method, path without the query string, status, duration).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	w = sw
	defer func() {
		s.logger.Debug("http: request", "method", r.Method, "path", r.URL.Path,
			"status", sw.status(), "duration", time.Since(start))
	}()
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.logger.Error("http: panic serving request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.code == 0 {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintln(w, "Internal error.")
			}
		}
	}()
	s.mux.ServeHTTP(w, r)
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	code int
}

// WriteHeader records the status and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// status returns the status written, 200 when nothing was.
func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

// methodNotAllowed reports whether r's path is served for GET, so that
// another method on it deserves 405 rather than 404; it then sets the
// Allow header.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	get := r.Clone(r.Context())
	get.Method = http.MethodGet
	if _, pattern := s.mux.Handler(get); pattern == "/" || pattern == "/api/" || pattern == "" {
		return false
	}
	w.Header().Set("Allow", "GET, HEAD")
	return true
}

// contentSecurityPolicy allows only the server's own style sheet, script and
// images: no inline scripts or styles, no third-party resources, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// setSecurityHeaders sets the headers every response carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
}

// Timeouts of the http.Server that Serve runs.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 10 * time.Second
	maxHeaderBytes    = 64 << 10
)

// NewHTTPServer returns an http.Server for h with sensible timeouts and a
// header size limit; errors of the server itself go to logger.
func NewHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves the server on ln until ctx is cancelled, then shuts down
// gracefully, giving requests in flight up to ten seconds to finish. It
// returns nil after a shutdown caused by ctx.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return Serve(ctx, ln, s, s.logger)
}

// ListenAndServe listens on addr (host:port) and serves the server until ctx
// is cancelled, as Serve does.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("http: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves h on ln with the timeouts of NewHTTPServer until ctx is
// cancelled, then shuts down gracefully. It returns nil after a shutdown
// caused by ctx and the server's error otherwise.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	srv := NewHTTPServer(h, logger)
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("http: serving", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("http: shutdown: %w", err)
	}
	logger.Info("http: stopped", "addr", ln.Addr().String())
	return nil
}

// requestContext returns the request's context bounded by the server's
// request timeout.
func (s *Server) requestContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.timeout)
}
