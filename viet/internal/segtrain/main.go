// Command segtrain trains the word-segmentation model embedded in package
// viet and writes it to viet/vietdata/segmodel.bin. Run it from the viet
// directory with "go generate", or directly:
//
//	go run ./internal/segtrain -data ../../shared/data -out vietdata/segmodel.bin
//
// It reads the Universal Dependencies Vietnamese-VTB treebank (train to
// learn, dev to choose the number of epochs) from the data directory.
package main

import (
	"flag"
	"fmt"
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
	flag.Parse()
	if err := run(*data, *out, *epochs, *folds); err != nil {
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

func run(data, out string, epochs, folds int) error {
	train, err := readCoNLLU(filepath.Join(data, "ud-vtb", "vi_vtb-ud-train.conllu"))
	if err != nil {
		return err
	}
	dev, err := readCoNLLU(filepath.Join(data, "ud-vtb", "vi_vtb-ud-dev.conllu"))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	g, err := viet.TrainSegmenter(train, viet.TrainOptions{Epochs: epochs, Folds: folds, Dev: dev, Logger: log})
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
