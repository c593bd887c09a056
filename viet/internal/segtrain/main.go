// Command segtrain trains the word-segmentation model embedded in package
// viet and writes it to viet/vietdata/segmodel.bin. Run it from the viet
// directory with "go generate", or directly:
//
//	go run ./internal/segtrain -data ../../shared/data -out vietdata/segmodel.bin
//
// It reads the Universal Dependencies Vietnamese-VTB treebank (train to
// learn, dev to choose the number of epochs) and the VNTC news corpus
// (unlabelled text for syllable-pair statistics) from the data directory.
package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/diembao/diembao/viet"
)

func main() {
	data := flag.String("data", "../../shared/data", "data directory holding ud-vtb/")
	out := flag.String("out", "vietdata/segmodel.bin", "model file to write")
	epochs := flag.Int("epochs", 12, "training epochs (the best on dev is kept)")
	folds := flag.Int("folds", 5, "jackknife folds for the lexicon features")
	models := flag.Int("models", 5, "perceptrons trained side by side and averaged")
	vntc := flag.String("vntc", "vntc/vntc_10topics_train.jsonl.gz", "unlabelled news texts (gzipped JSON lines with a \"text\" field) under the data directory; empty to train without")
	flag.Parse()
	if err := run(*data, *out, *vntc, *epochs, *folds, *models); err != nil {
		fmt.Fprintln(os.Stderr, "segtrain:", err)
		os.Exit(1)
	}
}

func readCoNLLU(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return viet.ReadCoNLLU(f)
}

func run(data, out, vntc string, epochs, folds, models int) error {
	train, err := readCoNLLU(filepath.Join(data, "ud-vtb", "vi_vtb-ud-train.conllu"))
	if err != nil {
		return err
	}
	dev, err := readCoNLLU(filepath.Join(data, "ud-vtb", "vi_vtb-ud-dev.conllu"))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	opts := viet.TrainOptions{Epochs: epochs, Folds: folds, Models: models, Dev: dev, Logger: log}
	if vntc != "" {
		opts.Unlabelled = readVNTC(filepath.Join(data, vntc), log)
	}
	g, err := viet.TrainSegmenter(train, opts)
	if err != nil {
		return err
	}
	s := viet.EvaluateSegmenter(g, dev)
	b, err := g.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("dev: precision %.4f recall %.4f F1 %.4f; model %d bytes written to %s\n", s.Precision(), s.Recall(), s.F1(), len(b), out)
	return nil
}

// readVNTC yields the texts of a gzipped JSON-lines corpus.
func readVNTC(path string, log *slog.Logger) iter.Seq[string] {
	return func(yield func(string) bool) {
		f, err := os.Open(path)
		if err != nil {
			log.Error("segtrain: unlabelled corpus", "err", err)
			return
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			log.Error("segtrain: unlabelled corpus", "err", err)
			return
		}
		dec := json.NewDecoder(zr)
		for {
			var doc struct {
				Text string `json:"text"`
			}
			if err := dec.Decode(&doc); err != nil {
				return
			}
			if !yield(doc.Text) {
				return
			}
		}
	}
}
