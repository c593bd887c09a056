package viet

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/diembao/diembao/viet/vietdata"
)

// modelMagic starts every segmentation model.
const modelMagic = "diembao-segmenter 1\n"

// Model limits that keep a damaged or hostile model from exhausting memory.
const (
	maxModelWords    = 1 << 20
	maxModelFeatures = 1 << 24
	maxModelWordLen  = 1 << 10
)

// LoadSegmenter builds a segmenter from a model written by
// Segmenter.MarshalBinary (the embedded model is one). The lexicon of the
// model is the embedded VnVocab word list plus the words the model carries.
func LoadSegmenter(model []byte) (*Segmenter, error) {
	zr, err := gzip.NewReader(bytes.NewReader(model))
	if err != nil {
		return nil, fmt.Errorf("viet: segmentation model: %w", err)
	}
	r := bufio.NewReader(io.LimitReader(zr, 1<<30))
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("viet: segmentation model: not a diembao segmenter model")
	}
	nw, err := binary.ReadUvarint(r)
	if err != nil || nw > maxModelWords {
		return nil, fmt.Errorf("viet: segmentation model: word count: %v", err)
	}
	words := make([]string, 0, nw)
	for range nw {
		l, err := binary.ReadUvarint(r)
		if err != nil || l > maxModelWordLen {
			return nil, fmt.Errorf("viet: segmentation model: word: %v", err)
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, fmt.Errorf("viet: segmentation model: word: %w", err)
		}
		words = append(words, string(b))
	}
	splits, err := readStrings(r)
	if err != nil {
		return nil, fmt.Errorf("viet: segmentation model: split pairs: %w", err)
	}
	names, err := readStrings(r)
	if err != nil {
		return nil, fmt.Errorf("viet: segmentation model: names: %w", err)
	}
	nf, err := binary.ReadUvarint(r)
	if err != nil || nf > maxModelFeatures {
		return nil, fmt.Errorf("viet: segmentation model: feature count: %v", err)
	}
	keys := make([]uint32, 0, nf)
	ws := make([]float32, 0, nf)
	var key uint64
	var buf [4]byte
	for range nf {
		d, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("viet: segmentation model: feature: %w", err)
		}
		key += d
		if key == 0 || key > math.MaxUint32 {
			return nil, errors.New("viet: segmentation model: feature key out of range")
		}
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil, fmt.Errorf("viet: segmentation model: weight: %w", err)
		}
		keys = append(keys, uint32(key))
		ws = append(ws, math.Float32frombits(binary.LittleEndian.Uint32(buf[:])))
	}
	np, err := binary.ReadUvarint(r)
	if err != nil || np > maxModelFeatures {
		return nil, fmt.Errorf("viet: segmentation model: pair count: %v", err)
	}
	pairKeys := make([]uint32, 0, np)
	pairCodes := make([]uint16, 0, np)
	key = 0
	for range np {
		d, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, fmt.Errorf("viet: segmentation model: pair: %w", err)
		}
		key += d
		if key == 0 || key > math.MaxUint32 {
			return nil, errors.New("viet: segmentation model: pair key out of range")
		}
		if _, err := io.ReadFull(r, buf[:2]); err != nil {
			return nil, fmt.Errorf("viet: segmentation model: pair code: %w", err)
		}
		pairKeys = append(pairKeys, uint32(key))
		pairCodes = append(pairCodes, binary.LittleEndian.Uint16(buf[:2]))
	}
	lex := baseLexicon(len(words) + len(splits) + len(names))
	for _, w := range words {
		lex.addWord(w, fromTrained)
	}
	for _, w := range splits {
		lex.addWord(w, fromSplit)
	}
	for _, w := range names {
		lex.addWord(w, fromNames)
	}
	g := newSegmenter(lex, newBigramStats(pairKeys, pairCodes), newWeightTable(keys, ws))
	g.words, g.splits, g.names = words, splits, names
	g.keys, g.ws = keys, ws
	g.pairKeys, g.pairCodes = pairKeys, pairCodes
	return g, nil
}

// baseLexicon returns a lexicon holding the embedded VnVocab words, with
// room for extra more.
func baseLexicon(extra int) *lexicon {
	lex := newLexicon(40000 + extra)
	lex.addWords(vietdata.Vocab, fromVocab)
	return lex
}

// MarshalBinary writes the segmenter's model: the words it adds to the
// embedded lexicon, its feature weights and its bigram statistics,
// gzip-compressed. LoadSegmenter
// reads it back.
func (g *Segmenter) MarshalBinary() ([]byte, error) {
	var raw bytes.Buffer
	raw.WriteString(modelMagic)
	var tmp [binary.MaxVarintLen64]byte
	putUvarint := func(x uint64) { raw.Write(tmp[:binary.PutUvarint(tmp[:], x)]) }
	putUvarint(uint64(len(g.words)))
	for _, w := range g.words {
		putUvarint(uint64(len(w)))
		raw.WriteString(w)
	}
	for _, list := range [][]string{g.splits, g.names} {
		putUvarint(uint64(len(list)))
		for _, w := range list {
			putUvarint(uint64(len(w)))
			raw.WriteString(w)
		}
	}
	order := make([]int, len(g.keys))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return int(int64(g.keys[a]) - int64(g.keys[b])) })
	putUvarint(uint64(len(order)))
	var prev uint32
	for _, i := range order {
		putUvarint(uint64(g.keys[i] - prev))
		prev = g.keys[i]
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(g.ws[i]))
		raw.Write(b[:])
	}
	order = order[:0]
	for i := range g.pairKeys {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return int(int64(g.pairKeys[a]) - int64(g.pairKeys[b])) })
	putUvarint(uint64(len(order)))
	prev = 0
	for _, i := range order {
		putUvarint(uint64(g.pairKeys[i] - prev))
		prev = g.pairKeys[i]
		var b [2]byte
		binary.LittleEndian.PutUint16(b[:], g.pairCodes[i])
		raw.Write(b[:])
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("viet: marshal segmenter: %w", err)
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, fmt.Errorf("viet: marshal segmenter: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("viet: marshal segmenter: %w", err)
	}
	return out.Bytes(), nil
}

// readStrings reads a count and that many length-prefixed strings.
func readStrings(r *bufio.Reader) ([]string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, err
	}
	if n > maxModelWords {
		return nil, errors.New("too many entries")
	}
	out := make([]string, 0, n)
	for range n {
		l, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		if l > maxModelWordLen {
			return nil, errors.New("entry too long")
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}
