package viet

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadCoNLLU(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "sample.conllu"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadCoNLLU(f)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Ban", "Chỉ đạo", "họp", "bàn", "về", "nền tảng", "tư tưởng", "."},
		{"Người dân", "Hà Nội", "đón", "Tết", "."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadCoNLLU = %q, want %q", got, want)
	}
}

func TestReadCoNLLUErrors(t *testing.T) {
	tests := []struct{ name, in string }{
		{"no tab", "1 word\n"},
		{"empty form", "1\t \tx\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadCoNLLU(strings.NewReader(tt.in)); err == nil {
				t.Errorf("ReadCoNLLU(%q) did not fail", tt.in)
			} else if !strings.HasPrefix(err.Error(), "viet: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
		})
	}
}

func TestScores(t *testing.T) {
	s := Scores{Gold: 10, Predicted: 8, Correct: 6}
	if p, r := s.Precision(), s.Recall(); p != 0.75 || r != 0.6 {
		t.Errorf("precision %v recall %v, want 0.75 0.6", p, r)
	}
	if f := s.F1(); f < 0.6666 || f > 0.6667 {
		t.Errorf("F1 = %v, want 2/3", f)
	}
	if f := (Scores{}).F1(); f != 0 {
		t.Errorf("empty F1 = %v", f)
	}
}

func FuzzReadCoNLLU(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "sample.conllu"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(b))
	f.Add("1-2\tx\n1\ta b\t_\n\n# c\n2.1\ty\n")
	f.Fuzz(func(t *testing.T, s string) {
		sents, err := ReadCoNLLU(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, sent := range sents {
			for _, w := range sent {
				if w == "" || strings.Contains(w, "\t") {
					t.Fatalf("bad form %q", w)
				}
			}
			_ = EvaluateSegmenter(DefaultSegmenter(), [][]string{sent})
		}
	})
}
