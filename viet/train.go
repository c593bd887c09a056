package viet

import (
	"errors"
	"iter"
	"log/slog"
	"math/rand/v2"
)

// TrainOptions configure TrainSegmenter.
type TrainOptions struct {
	// Epochs is the number of passes over the training sentences (default 12).
	Epochs int
	// Folds is the number of parts the training sentences are cut into so
	// that the lexicon features of each part are computed with a lexicon
	// that does not hold that part's own words, as at run time on new text
	// (default 5; 1 disables this).
	Folds int
	// Dev, when not empty, are held-out sentences: after each epoch the
	// model is scored on them and the best epoch is kept.
	Dev [][]string
	// Unlabelled, when not nil, yields unlabelled texts (news articles)
	// whose syllable-pair statistics become features.
	Unlabelled iter.Seq[string]
	// Models is the number of perceptrons trained side by side, each
	// visiting the sentences in its own order; the model is their average
	// (default 1).
	Models int
	// Seed fixes the order in which sentences are visited (default 1).
	Seed uint64
	// Logger receives one line per epoch (nil discards).
	Logger *slog.Logger
}

// trainRun is one run of syllables of a training sentence, with its
// lexicon analysis and the gold decision for each space.
type trainRun struct {
	sc   *segScratch
	join []bool
}

// TrainSegmenter trains a segmenter on gold-segmented sentences (each a
// list of words, syllables separated by spaces, as ReadCoNLLU returns them)
// with an averaged perceptron. The trained lexicon is the embedded VnVocab
// plus the multi-syllable words of train. Training is deterministic: the
// same sentences and options give the same model.
func TrainSegmenter(train [][]string, opts TrainOptions) (*Segmenter, error) {
	if len(train) == 0 {
		return nil, errors.New("viet: train segmenter: no sentences")
	}
	if opts.Epochs <= 0 {
		opts.Epochs = 12
	}
	if opts.Folds <= 0 {
		opts.Folds = 5
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.Models <= 0 {
		opts.Models = 1
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	golds := make([]goldSentence, len(train))
	for i, s := range train {
		golds[i] = newGoldSentence(s)
	}
	// Words of each fold, and the lexicon of each fold without its words.
	// Pairs of syllables seen side by side in two different words are
	// kept too, so that the model learns how often a pair is written apart.
	foldWords := make([][]string, opts.Folds)
	foldSplits := make([][]string, opts.Folds)
	var allWords, allSplits []string
	seen := map[string]bool{}
	for i, gs := range golds {
		for _, w := range gs.multiWords() {
			foldWords[i%opts.Folds] = append(foldWords[i%opts.Folds], w)
			if !seen[w] {
				seen[w] = true
				allWords = append(allWords, w)
			}
		}
		for _, w := range gs.splitPairs() {
			foldSplits[i%opts.Folds] = append(foldSplits[i%opts.Folds], w)
			if !seen["\x00"+w] {
				seen["\x00"+w] = true
				allSplits = append(allSplits, w)
			}
		}
	}
	lexicons := make([]*lexicon, opts.Folds)
	for f := range lexicons {
		lex := baseLexicon(len(allWords) + len(allSplits))
		for g := range foldWords {
			if g != f || opts.Folds == 1 {
				for _, w := range foldWords[g] {
					lex.addWord(w, fromTrained)
				}
				for _, w := range foldSplits[g] {
					lex.addWord(w, fromSplit)
				}
			}
		}
		lexicons[f] = lex
	}
	var pairKeys []uint32
	var pairCodes []uint16
	var names []string
	if opts.Unlabelled != nil {
		var n int
		pairKeys, pairCodes, names, n = countBigrams(opts.Unlabelled)
		log.Info("viet: train segmenter: unlabelled text", "syllables", n, "pairs", len(pairKeys), "names", len(names))
		for _, lex := range lexicons {
			for _, w := range names {
				lex.addWord(w, fromNames)
			}
		}
	}
	stats := newBigramStats(pairKeys, pairCodes)
	var runs []trainRun
	for i, gs := range golds {
		runs = gs.appendRuns(runs, lexicons[i%opts.Folds], stats)
	}
	fullLex := baseLexicon(len(allWords) + len(allSplits))
	for _, w := range allWords {
		fullLex.addWord(w, fromTrained)
	}
	for _, w := range allSplits {
		fullLex.addWord(w, fromSplit)
	}
	for _, w := range names {
		fullLex.addWord(w, fromNames)
	}

	models := make([]*perceptron, opts.Models)
	rngs := make([]*rand.Rand, opts.Models)
	orders := make([][]int, opts.Models)
	for m := range models {
		models[m] = newPerceptron()
		rngs[m] = rand.New(rand.NewPCG(opts.Seed+uint64(m), 0x5eed))
		orders[m] = make([]int, len(runs))
		for i := range orders[m] {
			orders[m][i] = i
		}
	}
	var best *Segmenter
	bestF1 := -1.0
	var f [numFeatures]uint32
	for epoch := 1; epoch <= opts.Epochs; epoch++ {
		mistakes, gaps := 0, 0
		for m, p := range models {
			order := orders[m]
			rngs[m].Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, ri := range order {
				r := runs[ri]
				cur := 1
				for k, gold := range r.join {
					r.sc.features(k, cur, &f)
					pred := p.score(&f) > 0
					p.tick()
					gaps++
					if pred != gold {
						mistakes++
						delta := 1.0
						if !gold {
							delta = -1
						}
						p.update(&f, delta)
					}
					if pred {
						cur++
					} else {
						cur = 1
					}
				}
			}
		}
		keys, ws := averageModels(models)
		g := newSegmenter(fullLex, stats, newWeightTable(keys, ws))
		g.words, g.splits, g.names, g.keys, g.ws = allWords, allSplits, names, keys, ws
		g.pairKeys, g.pairCodes = pairKeys, pairCodes
		attrs := []any{"epoch", epoch, "train_error", ratio(mistakes, gaps), "features", len(keys)}
		if len(opts.Dev) == 0 {
			best = g
			log.Info("viet: train segmenter", attrs...)
			continue
		}
		s := EvaluateSegmenter(g, opts.Dev)
		log.Info("viet: train segmenter", append(attrs, "dev_f1", s.F1(), "dev_precision", s.Precision(), "dev_recall", s.Recall())...)
		if s.F1() > bestF1 {
			best, bestF1 = g, s.F1()
		}
	}
	return best, nil
}

// multiWords returns the gold words of more than one syllable, syllables
// joined by single spaces.
func (gs goldSentence) multiWords() []string {
	var out []string
	for _, sp := range gs.spans {
		if sp[1]-sp[0] >= 2 {
			out = append(out, gs.text[gs.toks[sp[0]].Start:gs.toks[sp[1]-1].End])
		}
	}
	return out
}

// splitPairs returns the pairs of neighbouring syllables that belong to
// two different gold words, joined by a space.
func (gs goldSentence) splitPairs() []string {
	var out []string
	for w := 1; w < len(gs.spans); w++ {
		a, b := gs.spans[w-1][1]-1, gs.spans[w][0]
		if a >= 0 && b < len(gs.toks) && gs.toks[a].Kind == Syllable && gs.toks[b].Kind == Syllable {
			out = append(out, gs.toks[a].Text+" "+gs.toks[b].Text)
		}
	}
	return out
}

// appendRuns cuts a gold sentence into the runs of syllable tokens the
// segmenter sees and appends them with their gold decisions.
func (gs goldSentence) appendRuns(runs []trainRun, lex *lexicon, stats *bigramStats) []trainRun {
	wordOf := make([]int, len(gs.toks))
	for w, sp := range gs.spans {
		for k := sp[0]; k < sp[1]; k++ {
			wordOf[k] = w
		}
	}
	for i := 0; i < len(gs.toks); {
		if gs.toks[i].Kind != Syllable {
			i++
			continue
		}
		j := i + 1
		for j < len(gs.toks) && gs.toks[j].Kind == Syllable {
			j++
		}
		sc := new(segScratch)
		sc.load(gs.toks[i:j], lex, stats)
		join := make([]bool, j-i-1)
		for k := range join {
			join[k] = wordOf[i+k] == wordOf[i+k+1]
		}
		runs = append(runs, trainRun{sc: sc, join: join})
		i = j
	}
	return runs
}

// perceptron is an averaged perceptron over hashed features.
type perceptron struct {
	w    map[uint32]*avgWeight
	time int
}

type avgWeight struct {
	w, sum float64
	last   int
}

func newPerceptron() *perceptron { return &perceptron{w: map[uint32]*avgWeight{}, time: 1} }

func (p *perceptron) score(f *[numFeatures]uint32) float64 {
	var s float64
	for _, k := range f {
		if a := p.w[k]; a != nil {
			s += a.w
		}
	}
	return s
}

func (p *perceptron) tick() { p.time++ }

func (p *perceptron) update(f *[numFeatures]uint32, delta float64) {
	for _, k := range f {
		a := p.w[k]
		if a == nil {
			a = &avgWeight{last: p.time}
			p.w[k] = a
		}
		a.sum += a.w * float64(p.time-a.last)
		a.last = p.time
		a.w += delta
	}
}

// averageModels returns the mean of the averaged weights of models.
func averageModels(models []*perceptron) ([]uint32, []float32) {
	sum := map[uint32]float32{}
	for _, p := range models {
		keys, ws := p.averaged()
		for i, k := range keys {
			sum[k] += ws[i] / float32(len(models))
		}
	}
	keys := make([]uint32, 0, len(sum))
	ws := make([]float32, 0, len(sum))
	for k, w := range sum {
		keys = append(keys, k)
		ws = append(ws, w)
	}
	return keys, ws
}

// averaged returns the averaged weights, leaving out those too small to
// matter.
func (p *perceptron) averaged() ([]uint32, []float32) {
	keys := make([]uint32, 0, len(p.w))
	ws := make([]float32, 0, len(p.w))
	for k, a := range p.w {
		sum := a.sum + a.w*float64(p.time-a.last)
		avg := sum / float64(p.time)
		if avg > -1e-3 && avg < 1e-3 {
			continue
		}
		keys = append(keys, k)
		ws = append(ws, float32(avg))
	}
	return keys, ws
}
