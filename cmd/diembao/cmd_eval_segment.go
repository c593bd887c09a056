package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/diembao/diembao"
	"github.com/diembao/diembao/viet"
)

// segmentFigures are the figures "diembao eval segment" prints.
type segmentFigures struct {
	Sentences          int     `json:"sentences"`
	Syllables          int     `json:"syllables"`
	GoldWords          int     `json:"gold_words"`
	PredictedWords     int     `json:"predicted_words"`
	CorrectWords       int     `json:"correct_words"`
	Precision          float64 `json:"precision"`
	Recall             float64 `json:"recall"`
	F1                 float64 `json:"f1"`
	SyllablesPerSecond float64 `json:"syllables_per_second"`
	// WallSyllablesPerSecond is the same speed by the wall clock, which a
	// busy machine lowers.
	WallSyllablesPerSecond float64 `json:"wall_syllables_per_second"`
}

func init() {
	registerEval(func(app *App) *cobra.Command {
		var conllu string
		var asJSON bool
		var rounds int
		cmd := &cobra.Command{
			Use:   "segment --conllu FILE",
			Short: "Score the word segmenter on a CoNLL-U treebank",
			Long: `segment reads a CoNLL-U file (a FORM with inner spaces is one multi-syllable
word), segments the gold syllables of each sentence with the embedded model
and prints word precision, recall and F1 (a word counts when its syllable
span matches a gold word exactly) and the throughput in syllables per second
on one goroutine: per second of the thread's CPU time (where the system
reports it), which a busy machine does not lower, and by the wall clock.

Example:
  diembao eval segment --conllu ../shared/data/ud-vtb/vi_vtb-ud-dev.conllu`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if conllu == "" {
					return diembao.Errorf(diembao.EINVALID, "eval segment: --conllu FILE is required")
				}
				f, err := os.Open(conllu)
				if err != nil {
					return diembao.Errorf(diembao.ENOTFOUND, "eval segment: %v", err)
				}
				sents, err := viet.ReadCoNLLU(f)
				f.Close()
				if err != nil {
					return diembao.Errorf(diembao.EINVALID, "eval segment: %s: %v", conllu, err)
				}
				g := viet.DefaultSegmenter()
				scores := viet.EvaluateSegmenter(g, sents)
				speed := viet.MeasureSegmenter(g, sents, max(rounds, 1))
				fig := segmentFigures{
					Sentences: len(sents), Syllables: scores.Syllables,
					GoldWords: scores.Gold, PredictedWords: scores.Predicted, CorrectWords: scores.Correct,
					Precision: scores.Precision(), Recall: scores.Recall(), F1: scores.F1(),
					SyllablesPerSecond: speed.PerSecond(), WallSyllablesPerSecond: speed.WallPerSecond(),
				}
				if asJSON {
					enc := json.NewEncoder(app.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(fig)
				}
				_, err = fmt.Fprintf(app.Stdout, `sentences            %d
syllables            %d
gold words           %d
predicted words      %d
correct words        %d
precision            %.4f
recall               %.4f
F1                   %.4f
syllables/second     %.0f (one goroutine, CPU time; %.0f by the wall clock)
`, fig.Sentences, fig.Syllables, fig.GoldWords, fig.PredictedWords, fig.CorrectWords,
					fig.Precision, fig.Recall, fig.F1, fig.SyllablesPerSecond, fig.WallSyllablesPerSecond)
				return err
			},
		}
		cmd.Flags().StringVar(&conllu, "conllu", "", "CoNLL-U file with the gold segmentation")
		cmd.Flags().BoolVar(&asJSON, "json", false, "print the figures as JSON")
		cmd.Flags().IntVar(&rounds, "rounds", 5, "passes over the sentences when measuring throughput (the best is reported)")
		return cmd
	})
}
