// Package vietdata is stage 1 of the pipeline: the data of package viet,
// embedded in the binary. It holds the word list and syllable list the
// segmenter uses, the abbreviation list, the legacy-encoding tables and the
// trained segmentation model. It imports nothing from the project; each
// file's source and licence are listed in NOTICE beside it.
package vietdata

import _ "embed" // for go:embed

// Vocab is the VnVocab word list (one word a line, syllables separated by
// spaces), the lexicon of the RDRsegmenter word segmenter. Apache-2.0.
//
//go:embed vnvocab.txt
var Vocab string

// Syllables is a list of Vietnamese syllables, NFC, lower case, one a line. MIT.
//
//go:embed syllables.txt
var Syllables string

// Abbreviations is a list of "ABBR:expansion" lines. MIT.
//
//go:embed abbreviations.txt
var Abbreviations string

// LetterTable lists each Vietnamese letter in Unicode, VNI (as read through
// cp1252), TCVN3 (as read through cp1252) and VIQR, tab separated, with a
// header line. MIT.
//
//go:embed unicode_vni_tcvn3_viqr.tsv
var LetterTable string

// CharmapTCVN3 is the GNU C Library charmap of TCVN 5712:1993 (VN3).
//
//go:embed glibc_charmap_TCVN5712-1.txt
var CharmapTCVN3 string

// CharmapVISCII is the GNU C Library charmap of VISCII.
//
//go:embed glibc_charmap_VISCII.txt
var CharmapVISCII string

// CharmapCP1258 is the GNU C Library charmap of Windows-1258.
//
//go:embed glibc_charmap_CP1258.txt
var CharmapCP1258 string

// SegmentModel is the trained word-segmentation model (see package viet's
// Segmenter for its format). It was trained on the Universal Dependencies
// Vietnamese-VTB treebank (CC BY-SA 4.0) and VnVocab; see NOTICE.
//
//go:embed segmodel.bin
var SegmentModel []byte
