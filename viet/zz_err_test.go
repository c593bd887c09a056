package viet
import ("testing";"os";"fmt";"sort")
func TestZZErr(t *testing.T) {
	f, _ := os.Open("../../shared/data/ud-vtb/vi_vtb-ud-dev.conllu")
	sents, _ := ReadCoNLLU(f)
	g := DefaultSegmenter()
	fp := map[string]int{}; fn := map[string]int{}
	for _, s := range sents {
		gs := newGoldSentence(s)
		words := g.AppendWords(nil, gs.text, gs.toks)
		pred := map[[2]int]bool{}
		for _, w := range words { pred[[2]int{w.First,w.Last}] = true }
		gold := map[[2]int]bool{}
		for _, sp := range gs.spans { gold[sp] = true }
		for _, w := range words { sp := [2]int{w.First,w.Last}; if !gold[sp] { fp[gs.text[gs.toks[sp[0]].Start:gs.toks[sp[1]-1].End]]++ } }
		for _, sp := range gs.spans { if !pred[sp] && gs.toks[sp[0]].Kind == Syllable { fn[gs.text[gs.toks[sp[0]].Start:gs.toks[sp[1]-1].End]]++ } }
	}
	dump := func(name string, m map[string]int) {
		type kv struct{k string; v int}; var l []kv; tot := 0
		for k, v := range m { l = append(l, kv{k,v}); tot += v }
		sort.Slice(l, func(i,j int) bool { return l[i].v > l[j].v })
		fmt.Println(name, tot, len(l))
		for i := 0; i < 60 && i < len(l); i++ { fmt.Printf("%s:%d | ", l[i].k, l[i].v) }
		fmt.Println()
	}
	dump("FP (predicted, not gold)", fp); dump("FN (gold, missed)", fn)
}
