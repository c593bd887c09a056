package archive

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrTruncated is wrapped by the error a Reader returns when a file ends in
// the middle of a record.
var ErrTruncated = errors.New("truncated WARC file")

// DefaultMaxPayload is the largest payload a Reader returns; longer payloads
// are cut and the record marked Truncated.
const DefaultMaxPayload = 32 << 20

// Record is one WARC record as a Reader returns it.
type Record struct {
	// Type is the WARC-Type ("warcinfo", "request", "response",
	// "resource", "revisit", "metadata", "conversion").
	Type string
	ID   string
	// TargetURI is the URI the record is about.
	TargetURI string
	Date      time.Time
	// ContentType is the record's Content-Type.
	ContentType string
	// File and Offset say where the record starts.
	File   string
	Offset int64

	// StatusCode and Header are the HTTP status and header of a response
	// record (0 and nil otherwise).
	StatusCode int
	Header     http.Header
	// Payload is the HTTP body of a response (transfer and content
	// encodings removed) or the block of any other record, at most the
	// reader's MaxPayload bytes.
	Payload []byte
	// Truncated is set when the payload was cut, by the writer (the
	// WARC-Truncated field) or by this reader.
	Truncated bool
}

// IsHTTPResponse reports whether the record is an HTTP response.
func (r *Record) IsHTTPResponse() bool {
	return r.Type == "response" && strings.HasPrefix(strings.ToLower(r.ContentType), "application/http")
}

// Reader reads the records of one WARC file, compressed per record
// (.warc.gz), compressed as a whole, or not at all (.warc). It holds at most
// one payload in memory and never more than MaxPayload of it.
type Reader struct {
	// MaxPayload bounds Record.Payload (default DefaultMaxPayload).
	MaxPayload int64

	name   string
	closer io.Closer
	cr     *countingReader
	raw    *bufio.Reader
	gz     *gzip.Reader
	member *bufio.Reader // the open gzip member, or nil
	mbuf   *bufio.Reader // reused for each member
	start  int64         // offset of the open gzip member
	err    error
}

// Limits of a record's header.
const (
	maxHeaderLine  = 64 << 10
	maxHeaderLines = 512
)

// Open opens a WARC file for reading.
func Open(path string) (*Reader, error) {
	return OpenAt(path, 0)
}

// OpenAt opens a WARC file and starts reading at the record at offset. A
// file still being written is found under its final name too.
func OpenAt(path string, offset int64) (*Reader, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		if of, oerr := os.Open(path + openSuffix); oerr == nil {
			f, err = of, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("archive: %s: %w", path, err)
	}
	r := NewReader(f, path)
	r.cr.n = offset
	r.closer = f
	return r, nil
}

// NewReader reads WARC records from r; name is used in errors and in
// Record.File.
func NewReader(r io.Reader, name string) *Reader {
	cr := &countingReader{r: r}
	return &Reader{MaxPayload: DefaultMaxPayload, name: name, cr: cr, raw: bufio.NewReaderSize(cr, 64<<10)}
}

func (r *Reader) pos() int64 { return r.cr.n - int64(r.raw.Buffered()) }

// Next returns the next record, or io.EOF after the last one. A file cut in
// the middle of a record gives an error wrapping ErrTruncated; any error
// ends the reading.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) next() (*Record, error) {
	for {
		if r.member != nil {
			if err := skipBlank(r.member); err == nil {
				return r.readRecord(r.member, r.start)
			} else if err != io.EOF {
				return nil, r.wrap(r.start, err)
			}
			r.member = nil
		}
		if err := skipBlank(r.raw); err == io.EOF {
			return nil, io.EOF
		} else if err != nil {
			return nil, r.wrap(r.pos(), err)
		}
		off := r.pos()
		magic, err := r.raw.Peek(2)
		if err != nil {
			return nil, r.wrap(off, err)
		}
		if magic[0] != 0x1f || magic[1] != 0x8b {
			return r.readRecord(r.raw, off)
		}
		if r.gz == nil {
			r.gz = new(gzip.Reader)
		}
		if err := r.gz.Reset(r.raw); err != nil {
			return nil, r.wrap(off, err)
		}
		r.gz.Multistream(false)
		if r.mbuf == nil {
			r.mbuf = bufio.NewReaderSize(r.gz, 32<<10)
		} else {
			r.mbuf.Reset(r.gz)
		}
		r.member = r.mbuf
		r.start = off
	}
}

// skipBlank consumes CR and LF bytes; it returns io.EOF at the end.
func skipBlank(br *bufio.Reader) error {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return err
		}
		if c != '\r' && c != '\n' {
			return br.UnreadByte()
		}
	}
}

func (r *Reader) readRecord(br *bufio.Reader, off int64) (*Record, error) {
	line, err := readLine(br)
	if err != nil {
		return nil, r.wrap(off, err)
	}
	if !strings.HasPrefix(line, "WARC/") {
		return nil, fmt.Errorf("archive: %s: offset %d: not a WARC record (%.40q)", r.name, off, line)
	}
	h := make(map[string]string)
	for i := 0; ; i++ {
		if i > maxHeaderLines {
			return nil, fmt.Errorf("archive: %s: offset %d: too many header lines", r.name, off)
		}
		line, err := readLine(br)
		if err != nil {
			return nil, r.wrap(off, err)
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h[strings.ToLower(strings.TrimSpace(name))] = strings.TrimSpace(value)
	}
	length, err := strconv.ParseInt(h["content-length"], 10, 64)
	if err != nil || length < 0 {
		return nil, fmt.Errorf("archive: %s: offset %d: bad Content-Length %q", r.name, off, h["content-length"])
	}
	rec := &Record{
		Type:        h["warc-type"],
		ID:          strings.Trim(h["warc-record-id"], "<>"),
		TargetURI:   strings.Trim(h["warc-target-uri"], "<>"),
		ContentType: h["content-type"],
		File:        r.name,
		Offset:      off,
		Truncated:   h["warc-truncated"] != "",
	}
	rec.Date, _ = time.Parse(time.RFC3339Nano, h["warc-date"])
	keep := min(length, r.MaxPayload+maxHeaderLine)
	var block []byte
	if keep <= 1<<20 {
		// Small blocks are read in one piece; larger ones grow as they
		// arrive, so a false Content-Length cannot make the reader
		// allocate more than the file holds.
		block = make([]byte, keep)
		if _, err := io.ReadFull(br, block); err != nil {
			return nil, r.wrap(off, err)
		}
	} else {
		buf := bytes.NewBuffer(make([]byte, 0, 1<<20))
		if _, err := io.CopyN(buf, br, keep); err != nil {
			return nil, r.wrap(off, err)
		}
		block = buf.Bytes()
	}
	if rest := length - keep; rest > 0 {
		rec.Truncated = true
		if _, err := io.CopyN(io.Discard, br, rest); err != nil {
			return nil, r.wrap(off, err)
		}
	}
	if rec.IsHTTPResponse() {
		r.parseHTTP(rec, block)
	} else {
		rec.Payload = limit(block, r.MaxPayload, &rec.Truncated)
	}
	return rec, nil
}

// readLine reads one header line without its line end.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return "", err
		}
		b = append(b, chunk...)
		if len(b) > maxHeaderLine {
			return "", errors.New("header line too long")
		}
		if !isPrefix {
			return string(b), nil
		}
	}
}

func (r *Reader) wrap(off int64, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("archive: %s: record at offset %d: %w", r.name, off, ErrTruncated)
	}
	return fmt.Errorf("archive: %s: record at offset %d: %w", r.name, off, err)
}

// parseHTTP splits an HTTP response block into status, header and decoded
// body. A block that is not HTTP is kept whole as the payload.
func (r *Reader) parseHTTP(rec *Record, block []byte) {
	end := headerEnd(block)
	if end < 0 {
		rec.Payload = limit(block, r.MaxPayload, &rec.Truncated)
		return
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(block[:end])), nil)
	if err != nil {
		rec.Payload = limit(block, r.MaxPayload, &rec.Truncated)
		return
	}
	resp.Body.Close()
	rec.StatusCode = resp.StatusCode
	rec.Header = resp.Header
	body := block[end:]
	switch {
	case len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked":
		dec, cut, err := readLimited(httputil.NewChunkedReader(bytes.NewReader(body)), r.MaxPayload)
		if err != nil || cut {
			// A broken chunk or a cut body: keep what arrived.
			rec.Truncated = true
		}
		body = dec
	case resp.ContentLength >= 0 && resp.ContentLength < int64(len(body)):
		body = body[:resp.ContentLength]
	case resp.ContentLength > int64(len(body)):
		rec.Truncated = true
	}
	rec.Payload = limit(body, r.MaxPayload, &rec.Truncated)
	if dec, ok := decodeContent(resp.Header.Get("Content-Encoding"), rec.Payload, r.MaxPayload); ok {
		rec.Payload = dec
	}
}

// headerEnd returns the offset just past the blank line that ends the HTTP
// header at the start of block, or -1.
func headerEnd(block []byte) int {
	crlf := bytes.Index(block, []byte("\r\n\r\n"))
	lf := bytes.Index(block, []byte("\n\n"))
	switch {
	case crlf >= 0 && (lf < 0 || crlf < lf):
		return crlf + 4
	case lf >= 0:
		return lf + 2
	}
	return -1
}

// decodeContent removes a gzip or deflate content encoding, bounded by max.
func decodeContent(enc string, body []byte, max int64) ([]byte, bool) {
	var zr io.Reader
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "gzip", "x-gzip":
		gz, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, false
		}
		zr = gz
	case "deflate":
		zr = flate.NewReader(bytes.NewReader(body))
	default:
		return nil, false
	}
	out, _, err := readLimited(zr, max)
	if err != nil && len(out) == 0 {
		return nil, false
	}
	return out, true
}

func readLimited(r io.Reader, max int64) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if int64(len(data)) > max {
		return data[:max], true, err
	}
	return data, false, err
}

func limit(b []byte, max int64, truncated *bool) []byte {
	if int64(len(b)) > max {
		*truncated = true
		return b[:max]
	}
	return b
}

// Close closes the file opened by Open.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// ReadRecord reads the one record at offset in the file at path, as
// Fetch.WARCFile and Fetch.WARCOffset locate it.
func ReadRecord(path string, offset int64) (*Record, error) {
	r, err := OpenAt(path, offset)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rec, err := r.Next()
	if err == io.EOF {
		return nil, fmt.Errorf("archive: %s: no record at offset %d", path, offset)
	}
	return rec, err
}

// RequestBytes renders req (without body) as the block of a WARC request
// record.
func RequestBytes(req *http.Request) []byte {
	var b bytes.Buffer
	uri := req.URL.RequestURI()
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", req.Method, uri, req.URL.Host)
	_ = req.Header.Write(&b)
	b.WriteString("\r\n")
	return b.Bytes()
}

// ResponseBytes renders the status line and header of resp followed by body
// as the block of a WARC response record. Hop-by-hop framing the client
// removed (chunked transfer encoding) is dropped from the header, and
// Content-Length is set to the length of body as received.
func ResponseBytes(resp *http.Response, body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(body) + 512)
	fmt.Fprintf(&b, "HTTP/%d.%d %s\r\n", resp.ProtoMajor, resp.ProtoMinor, resp.Status)
	h := resp.Header.Clone()
	h.Del("Transfer-Encoding")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	_ = h.Write(&b)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}
