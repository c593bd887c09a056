// Package viet is stage 1 of the pipeline: the Vietnamese language library
// that every later stage shares.
//
// It normalizes Unicode text to NFC with one canonical tone-mark placement
// (Normalize), folds it to a lower-case, diacritic-free form for search
// (Fold, AppendFold), splits it into tokens with byte offsets (Tokenize),
// groups syllables into words with a trained segmenter (Segmenter), expands
// and finds abbreviations (Expansions, Abbreviations) and reads text in the
// legacy Vietnamese encodings: TCVN3 (ABC), VNI, VIQR, VISCII, Windows-1258
// and decomposed Unicode (DetectBytes, Decode, Encode, FixMojibake).
//
// The package is pure Go; its data (word list, syllables, abbreviations,
// encoding tables and the segmentation model) is embedded from package
// vietdata, whose NOTICE file gives each file's source and licence.
//
// Canonical tone placement follows the modern rule (Quyết định 1989/QĐ-BGDĐT,
// 2018), which is also the spelling of the embedded lexicon: the tone mark
// sits on the vowel with a diacritic (ươ → ơ), else on the last vowel when a
// final consonant follows, else on the second vowel of "oa", "oe", "uy"
// (hoà, khoẻ, thuỷ) and on the first vowel of the other pairs (mùa, tài).
// The "u" of "qu" and the "i" of "gi" belong to the initial consonant (quý,
// giá).
package viet
