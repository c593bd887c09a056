// Package archive is stage 2 of the pipeline: it keeps the raw bytes of every
// HTTP exchange in WARC files and reads WARC files back.
//
// A Writer records request and response pairs as WARC/1.1 records, one gzip
// member per record, in files rotated by size; a file being written carries
// the suffix ".open" until it is closed, and Recover repairs the files a
// crashed process left open. A Reader reads WARC files written by diembao or
// by other tools (wget, Heritrix, warcprox), compressed per record or not,
// and reports a truncated file with an error wrapping ErrTruncated.
package archive

import (
	"bufio"
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlnwa/gowarc/v3"

	"github.com/diembao/diembao"
)

// DefaultMaxFileSize is the size at which a WARC file is closed and the next
// one started.
const DefaultMaxFileSize = 1 << 30

// openSuffix marks a WARC file that is still being written.
const openSuffix = ".open"

// WriterConfig configures a Writer.
type WriterConfig struct {
	// Dir is the directory of the WARC files; it is created when missing.
	Dir string
	// Prefix starts every file name (default "diembao").
	Prefix string
	// MaxFileSize is the compressed size at which files rotate (default
	// DefaultMaxFileSize).
	MaxFileSize int64
	// Software names the writer in each file's warcinfo record.
	Software string
	// Logger receives what Recover repaired; nil discards.
	Logger *slog.Logger
}

// Exchange is one HTTP request and the response it got, as they went over
// the wire (the response body as received, still content-encoded).
type Exchange struct {
	// URL is the target URI of the request.
	URL string
	// IP is the address of the server, or "".
	IP string
	// Date is when the request was sent.
	Date time.Time
	// Request is the raw HTTP request (request line, header, body).
	Request []byte
	// Response is the raw HTTP response (status line, header, body).
	Response []byte
	// Truncated says why the response body is incomplete ("length",
	// "time", "disconnect"), or "" when it is whole.
	Truncated string
}

// Location is where a record was written.
type Location struct {
	// File is the base name of the WARC file once closed.
	File string
	// Offset is the byte offset of the record's gzip member in the file.
	Offset int64
}

// Writer writes HTTP exchanges to WARC files. It is safe for concurrent use.
type Writer struct {
	cfg    WriterConfig
	w      *gowarc.WarcFileWriter
	lock   *os.File // held while the writer lives; see Recover
	mu     sync.Mutex
	closed bool
}

// NewWriter recovers the files a previous process left open in cfg.Dir and
// returns a Writer appending new files there.
func NewWriter(cfg WriterConfig) (*Writer, error) {
	if cfg.Dir == "" {
		return nil, errors.New("archive: no WARC directory")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "diembao"
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = DefaultMaxFileSize
	}
	if cfg.Software == "" {
		cfg.Software = "diembao/" + diembao.Version
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if _, err := Recover(cfg.Dir, cfg.Logger); err != nil {
		return nil, err
	}
	names := newNameGenerator(cfg.Dir, cfg.Prefix)
	lock, err := os.OpenFile(lockPath(cfg.Dir, names.run), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if ok, err := lockFile(lock); !ok {
		lock.Close()
		return nil, fmt.Errorf("archive: lock %s: %v", lock.Name(), err)
	}
	software := cfg.Software
	buildMu.Lock()
	defer buildMu.Unlock()
	w := gowarc.NewWarcFileWriter(
		gowarc.WithCompression(true),
		gowarc.WithMaxFileSize(cfg.MaxFileSize),
		gowarc.WithFileNameGenerator(names),
		gowarc.WithAddWarcConcurrentToHeader(true),
		gowarc.WithWarcInfoFunc(func(b gowarc.WarcRecordBuilder) error {
			_, err := b.WriteString("software: " + software + "\r\nformat: WARC File Format 1.1\r\n" +
				"conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n")
			return err
		}),
		gowarc.WithRecordOptions(recordOptions()...),
	)
	return &Writer{cfg: cfg, w: w, lock: lock}, nil
}

func recordOptions() []gowarc.WarcRecordOption {
	return []gowarc.WarcRecordOption{
		gowarc.WithAddMissingRecordId(true),
		gowarc.WithAddMissingContentLength(true),
		gowarc.WithAddMissingDigest(true),
		gowarc.WithDefaultDigestAlgorithm("sha1"),
	}
}

// buildMu serializes the building and writing of records in the process:
// gowarc sets a global of github.com/google/uuid (EnableRandPool) each time
// it builds a record, which would otherwise race between writers.
var buildMu sync.Mutex

// Write appends the request and response records of ex, each in its own
// gzip member, and returns the location of the response record.
func (w *Writer) Write(ex *Exchange) (Location, error) {
	w.mu.Lock()
	closed := w.closed
	w.mu.Unlock()
	if closed {
		return Location{}, errors.New("archive: write to closed writer")
	}
	if ex.Date.IsZero() {
		ex.Date = time.Now()
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	req, err := buildRecord(gowarc.Request, "application/http;msgtype=request", ex, ex.Request)
	if err != nil {
		return Location{}, err
	}
	resp, err := buildRecord(gowarc.Response, "application/http;msgtype=response", ex, ex.Response)
	if err != nil {
		_ = req.Close()
		return Location{}, err
	}
	res := w.w.Write(resp, req)
	if len(res) != 2 {
		return Location{}, errors.New("archive: writer closed")
	}
	for _, r := range res {
		if r.Err != nil {
			return Location{}, fmt.Errorf("archive: write %s: %w", ex.URL, r.Err)
		}
	}
	return Location{File: res[0].FileName, Offset: res[0].FileOffset}, nil
}

func buildRecord(t gowarc.RecordType, contentType string, ex *Exchange, block []byte) (gowarc.WarcRecord, error) {
	b := gowarc.NewRecordBuilder(t, recordOptions()...)
	b.AddWarcHeader(gowarc.WarcTargetURI, ex.URL)
	b.AddWarcHeaderTime(gowarc.WarcDate, ex.Date)
	b.AddWarcHeader(gowarc.ContentType, contentType)
	if ex.IP != "" {
		b.AddWarcHeader(gowarc.WarcIPAddress, ex.IP)
	}
	if ex.Truncated != "" && t == gowarc.Response {
		b.AddWarcHeader(gowarc.WarcTruncated, ex.Truncated)
	}
	if _, err := b.Write(block); err != nil {
		return nil, fmt.Errorf("archive: record %s: %w", ex.URL, err)
	}
	rec, _, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("archive: record %s: %w", ex.URL, err)
	}
	return rec, nil
}

// Rotate closes the current file; the next write starts a new one.
func (w *Writer) Rotate() error {
	buildMu.Lock()
	defer buildMu.Unlock()
	if err := w.w.Rotate(); err != nil {
		return fmt.Errorf("archive: rotate: %w", err)
	}
	return nil
}

// Close closes the current file.
func (w *Writer) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	w.mu.Unlock()
	buildMu.Lock()
	defer buildMu.Unlock()
	err := w.w.Close()
	os.Remove(w.lock.Name())
	w.lock.Close()
	return err
}

// nameGenerator names WARC files PREFIX-TIMESTAMP-RANDOM-SERIAL.warc: the
// random part keeps two processes started in the same second apart.
type nameGenerator struct {
	dir, prefix, run string
	serial           atomic.Int64
}

func newNameGenerator(dir, prefix string) *nameGenerator {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &nameGenerator{dir: dir, prefix: prefix, run: hex.EncodeToString(b[:])}
}

// NewWarcfileName implements gowarc.WarcFileNameGenerator.
func (g *nameGenerator) NewWarcfileName() (string, string) {
	n := g.serial.Add(1)
	ts := time.Now().UTC().Format("20060102150405")
	return g.dir, fmt.Sprintf("%s-%s-%s-%05d.warc", g.prefix, ts, g.run, n)
}

// Recover repairs the WARC files of dir that a crashed writer left open: it
// cuts each after its last complete gzip member and gives it its final name.
// It returns the names of the files it repaired.
func Recover(dir string, logger *slog.Logger) ([]string, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	matches, err := filepath.Glob(filepath.Join(dir, "*.warc.gz"+openSuffix))
	if err != nil {
		return nil, fmt.Errorf("archive: recover: %w", err)
	}
	var fixed []string
	for _, path := range matches {
		if live(dir, path) {
			continue
		}
		end, err := completeMembers(path)
		if err != nil {
			return fixed, err
		}
		final := strings.TrimSuffix(path, openSuffix)
		if end == 0 {
			if err := os.Remove(path); err != nil {
				return fixed, fmt.Errorf("archive: recover: %w", err)
			}
			logger.Warn("archive: removed empty open WARC file", "file", path)
			continue
		}
		if err := os.Truncate(path, end); err != nil {
			return fixed, fmt.Errorf("archive: recover: %w", err)
		}
		if err := os.Rename(path, final); err != nil {
			return fixed, fmt.Errorf("archive: recover: %w", err)
		}
		logger.Warn("archive: recovered open WARC file", "file", final, "size", end)
		fixed = append(fixed, final)
	}
	return fixed, nil
}

// lockPath is the lock file a writer run holds while it writes.
func lockPath(dir, run string) string {
	return filepath.Join(dir, ".diembao-"+run+".lock")
}

// live reports whether the open WARC file at path belongs to a writer that
// is still running (in this process or another), whose lock is held. Files
// named by other tools have no lock and are taken as abandoned.
func live(dir, path string) bool {
	parts := strings.Split(filepath.Base(path), "-")
	if len(parts) < 4 {
		return false
	}
	lp := lockPath(dir, parts[len(parts)-2])
	f, err := os.OpenFile(lp, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	ok, err := lockFile(f)
	if err != nil || !ok {
		return true
	}
	// The run is over: its lock file goes with its repaired files.
	os.Remove(lp)
	return false
}

// completeMembers returns the end offset of the last complete gzip member of
// the file.
func completeMembers(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("archive: recover: %w", err)
	}
	defer f.Close()
	cr := &countingReader{r: f}
	br := bufio.NewReader(cr)
	var end int64
	zr := new(gzip.Reader)
	for {
		start := cr.n - int64(br.Buffered())
		if err := zr.Reset(br); err != nil {
			return end, nil
		}
		zr.Multistream(false)
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return end, nil
		}
		end = cr.n - int64(br.Buffered())
		if end <= start {
			return end, nil
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

// Read implements io.Reader.
func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
