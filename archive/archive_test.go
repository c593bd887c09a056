package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func exchange(url, body string) *Exchange {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("User-Agent", "diembao-test")
	resp := &http.Response{Status: "200 OK", StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/html; charset=utf-8"}}}
	return &Exchange{URL: url, IP: "127.0.0.1", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Request: RequestBytes(req), Response: ResponseBytes(resp, []byte(body))}
}

func readAll(t *testing.T, path string) ([]*Record, error) {
	t.Helper()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs []*Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return recs, err
		}
		recs = append(recs, rec)
	}
}

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(WriterConfig{Dir: dir, MaxFileSize: 4000})
	if err != nil {
		t.Fatal(err)
	}
	var locs []Location
	for i := range 20 {
		loc, err := w.Write(exchange(fmt.Sprintf("http://example.vn/a/%d", i), strings.Repeat(fmt.Sprintf("bài %d ", i), 100)))
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) < 2 {
		t.Fatalf("files were not rotated: %v", files)
	}
	if open, _ := filepath.Glob(filepath.Join(dir, "*.open")); len(open) != 0 {
		t.Fatalf("open files left after Close: %v", open)
	}
	responses := 0
	for _, f := range files {
		recs, err := readAll(t, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(recs) == 0 || recs[0].Type != "warcinfo" {
			t.Fatalf("%s does not start with warcinfo", f)
		}
		for _, r := range recs {
			if r.IsHTTPResponse() {
				responses++
			}
		}
	}
	if responses != 20 {
		t.Fatalf("read %d responses, want 20", responses)
	}
	for i, loc := range locs {
		t.Run(fmt.Sprint("location", i), func(t *testing.T) {
			rec, err := ReadRecord(filepath.Join(dir, loc.File), loc.Offset)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("http://example.vn/a/%d", i)
			if rec.TargetURI != want || rec.StatusCode != 200 || !bytes.HasPrefix(rec.Payload, []byte(fmt.Sprintf("bài %d ", i))) {
				t.Fatalf("record at %v = %s %d %.20q, want %s", loc, rec.TargetURI, rec.StatusCode, rec.Payload, want)
			}
			if rec.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Fatalf("header = %v", rec.Header)
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(WriterConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := w.Write(exchange(fmt.Sprintf("http://example.vn/%d", i), strings.Repeat("x", 5000))); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	data, _ := os.ReadFile(files[0])
	plain := gunzipAll(t, data)
	tests := []struct {
		name string
		data []byte
		ext  string
	}{
		{"gzip cut in a member", data[:len(data)-40], ".warc.gz"},
		{"plain cut in a block", plain[:len(plain)-300], ".warc"},
		{"plain cut in a header", plain[:len(plain)-5100], ".warc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "cut"+tt.ext)
			os.WriteFile(p, tt.data, 0o644)
			recs, err := readAll(t, p)
			if !errors.Is(err, ErrTruncated) {
				t.Fatalf("err = %v, want ErrTruncated", err)
			}
			if len(recs) == 0 {
				t.Fatal("no record read before the cut")
			}
		})
	}
	t.Run("plain whole", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "whole.warc")
		os.WriteFile(p, plain, 0o644)
		recs, err := readAll(t, p)
		if err != nil || len(recs) != 7 {
			t.Fatalf("read %d records, err %v; want 7", len(recs), err)
		}
	})
}

func gunzipAll(t *testing.T, data []byte) []byte {
	t.Helper()
	cmd := exec.Command("gzip", "-dc")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("gzip not available: %v", err)
	}
	return out
}

func TestRecover(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(WriterConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := w.Write(exchange(fmt.Sprintf("http://example.vn/%d", i), "nội dung")); err != nil {
			t.Fatal(err)
		}
	}
	open, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz.open"))
	if len(open) != 1 {
		t.Fatalf("open files = %v", open)
	}
	// Simulate a crash in the middle of a record: copy the open file and
	// append half a gzip member.
	data, _ := os.ReadFile(open[0])
	crashed := filepath.Join(t.TempDir(), "x.warc.gz.open")
	os.WriteFile(crashed, append(data, data[len(data)/2:len(data)/2+100]...), 0o644)
	w.Close()
	fixed, err := Recover(filepath.Dir(crashed), nil)
	if err != nil || len(fixed) != 1 {
		t.Fatalf("Recover = %v, %v", fixed, err)
	}
	recs, err := readAll(t, fixed[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 11 {
		t.Fatalf("recovered %d records, want 11", len(recs))
	}
}

// TestWget reads a WARC file written by GNU wget.
func TestWget(t *testing.T) {
	wget, err := exec.LookPath("wget")
	if err != nil {
		t.Skip("wget is not installed; skipping the test of WARC files written by wget")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush()
		}
		fmt.Fprintf(w, "<html><title>Tin %s</title><p>Hà Nội hôm nay</p></html>", r.URL.Path)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cmd := exec.Command(wget, "-q", "--no-proxy", "--tries=1", "--warc-file="+filepath.Join(dir, "wget"),
		"-O", filepath.Join(dir, "out"), srv.URL+"/a", srv.URL+"/chunked")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wget: %v\n%s", err, out)
	}
	recs, err := readAll(t, filepath.Join(dir, "wget.warc.gz"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range recs {
		if r.IsHTTPResponse() {
			got[strings.TrimPrefix(r.TargetURI, srv.URL)] = string(r.Payload)
		}
	}
	for _, path := range []string{"/a", "/chunked"} {
		want := fmt.Sprintf("<html><title>Tin %s</title><p>Hà Nội hôm nay</p></html>", path)
		if got[path] != want {
			t.Errorf("payload of %s = %q, want %q", path, got[path], want)
		}
	}
}

func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	dir := f.TempDir()
	w, _ := NewWriter(WriterConfig{Dir: dir})
	w.Write(exchange("http://example.vn/", "<p>xin chào</p>"))
	w.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	data, _ := os.ReadFile(files[0])
	f.Add(data)
	buf.WriteString("WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http;msgtype=response\r\nContent-Length: 40\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc\r\n\r\n")
	f.Add(buf.Bytes())
	f.Add([]byte("WARC/1.0\r\nContent-Length: 99999999999\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewReader(bytes.NewReader(data), "fuzz")
		r.MaxPayload = 1 << 16
		for range 100 {
			rec, err := r.Next()
			if err != nil {
				return
			}
			if int64(len(rec.Payload)) > r.MaxPayload {
				t.Fatalf("payload of %d bytes over the limit", len(rec.Payload))
			}
		}
	})
}

// TestRecoverLeavesLiveWriters checks that a writer starting in a directory
// repairs only the files of writers that died, never those of one still
// writing (serve and crawl --once may share a data directory).
func TestRecoverLeavesLiveWriters(t *testing.T) {
	dir := t.TempDir()
	first, err := NewWriter(WriterConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.Write(exchange("http://example.vn/1", "một")); err != nil {
		t.Fatal(err)
	}
	// A file left by a run that died: its lock file exists, unlocked.
	dead := filepath.Join(dir, "diembao-20260101000000-deadbeef-00001.warc.gz.open")
	open, _ := filepath.Glob(filepath.Join(dir, "*.open"))
	data, _ := os.ReadFile(open[0])
	os.WriteFile(dead, data, 0o644)
	os.WriteFile(lockPath(dir, "deadbeef"), nil, 0o644)

	second, err := NewWriter(WriterConfig{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(open[0]); err != nil {
		t.Fatalf("the live writer's file was touched: %v", err)
	}
	if _, err := os.Stat(strings.TrimSuffix(dead, ".open")); err != nil {
		t.Fatalf("the dead run's file was not repaired: %v", err)
	}
	if _, err := os.Stat(lockPath(dir, "deadbeef")); !os.IsNotExist(err) {
		t.Fatalf("the dead run's lock file is left: %v", err)
	}
	for _, w := range []*Writer{first, second} {
		if _, err := w.Write(exchange("http://example.vn/2", "hai")); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	if len(files) != 3 {
		t.Fatalf("files = %v, want 3 closed files", files)
	}
	for _, f := range files {
		if _, err := readAll(t, f); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.lock")); len(left) != 0 {
		t.Fatalf("lock files left after Close: %v", left)
	}
}

func BenchmarkWrite(b *testing.B) {
	w, err := NewWriter(WriterConfig{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ex := exchange("http://example.vn/a", strings.Repeat("<p>Tin tức Việt Nam hôm nay</p>", 1500))
	b.ReportAllocs()
	b.SetBytes(int64(len(ex.Request) + len(ex.Response)))
	for b.Loop() {
		if _, err := w.Write(ex); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRead(b *testing.B) {
	dir := b.TempDir()
	w, _ := NewWriter(WriterConfig{Dir: dir})
	for i := range 100 {
		w.Write(exchange(fmt.Sprintf("http://example.vn/%d", i), strings.Repeat("<p>Tin tức Việt Nam hôm nay</p>", 1500)))
	}
	w.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
	fi, _ := os.Stat(files[0])
	b.ReportAllocs()
	b.SetBytes(fi.Size())
	for b.Loop() {
		r, err := Open(files[0])
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != 201 {
			b.Fatalf("read %d records, want 201", n)
		}
	}
}
