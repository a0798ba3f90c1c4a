package ingest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/socle/socle/internal/errs"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The encodings Info.Encoding reports.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingCP1252  = "windows-1252"
	EncodingLatin1  = "iso-8859-1"
)

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// encodingSample is how much of a stream detection looks at. A megabyte
// catches the accented name far down a list that a few kilobytes would miss,
// and a later surprise is still reported by the UTF-8 validator.
const encodingSample = 1 << 20

// detectEncoding chooses an encoding from the first bytes of a file and says
// how many BOM bytes to skip. The BOM is evidence, not proof: French
// spreadsheet exports put a UTF-8 BOM in front of a Windows-1252 body, so a
// UTF-8 BOM only counts when the bytes after it are valid UTF-8.
func detectEncoding(sample []byte, atEOF bool) (enc string, bomLen int, warn string) {
	switch {
	case bytes.HasPrefix(sample, utf8BOM):
		if validUTF8Prefix(sample[3:], atEOF) {
			return EncodingUTF8, 3, ""
		}
		return EncodingCP1252, 3, "the file starts with a UTF-8 byte-order mark but is not UTF-8; read as windows-1252"
	case bytes.HasPrefix(sample, utf16LEBOM):
		return EncodingUTF16LE, 2, ""
	case bytes.HasPrefix(sample, utf16BEBOM):
		return EncodingUTF16BE, 2, ""
	}
	if enc := utf16ByNULs(sample); enc != "" {
		return enc, 0, ""
	}
	if validUTF8Prefix(sample, atEOF) {
		return EncodingUTF8, 0, ""
	}
	return EncodingCP1252, 0, ""
}

// utf16ByNULs recognises BOM-less UTF-16 by its NUL bytes: text in Latin
// scripts has a zero high byte in most code units, on odd offsets for little
// endian and even offsets for big endian. Single-byte encodings of text never
// contain NULs.
func utf16ByNULs(sample []byte) string {
	if len(sample) > 4096 {
		sample = sample[:4096]
	}
	var even, odd int
	for i, b := range sample {
		if b == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	half := len(sample) / 2
	switch {
	case half == 0:
		return ""
	case odd*10 > half*6 && even*10 < half:
		return EncodingUTF16LE
	case even*10 > half*6 && odd*10 < half:
		return EncodingUTF16BE
	}
	return ""
}

// validUTF8Prefix is utf8.Valid, except that a sample cut in the middle of a
// multi-byte sequence is not held against the file.
func validUTF8Prefix(b []byte, atEOF bool) bool {
	if !atEOF {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

// decoder returns the transformer that turns bytes in enc into UTF-8, and the
// canonical name of enc.
func decoder(enc string) (transform.Transformer, string, error) {
	switch strings.ToLower(strings.ReplaceAll(enc, "_", "-")) {
	case "utf-8", "utf8":
		return &utf8Validator{line: 1}, EncodingUTF8, nil
	case "utf-16", "utf16", "utf-16le", "utf16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder(), EncodingUTF16LE, nil
	case "utf-16be", "utf16be":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder(), EncodingUTF16BE, nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder(), EncodingCP1252, nil
	case "iso-8859-1", "latin1", "latin-1", "iso8859-1":
		return charmap.ISO8859_1.NewDecoder(), EncodingLatin1, nil
	case "iso-8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder(), "iso-8859-15", nil
	}
	return nil, "", errs.E(errs.Invalid, "unsupported encoding %q", enc)
}

// InvalidUTF8Error reports bytes that are not UTF-8 in a file read as UTF-8.
// It is an error rather than a silent replacement because the usual cause is a
// wrong guess that would turn every accented letter of the rest into garbage.
type InvalidUTF8Error struct {
	Line int // physical line of the file, 1-based
}

func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at line %d: the file's encoding is not UTF-8; pass --encoding windows-1252", e.Line)
}

// utf8Validator passes valid UTF-8 through unchanged and stops at the first
// invalid sequence, counting lines so that the error can name one.
type utf8Validator struct {
	line int
}

func (v *utf8Validator) Reset() { v.line = 1 }

func (v *utf8Validator) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	// Fast path: validate and copy the largest whole-rune prefix that fits
	// in one go (utf8.Valid and bytes.Count are vectorised); fall back to
	// rune by rune only to locate an invalid sequence's line.
	n := min(len(src), len(dst))
	chunk := trimPartialRune(src[:n], atEOF && n == len(src))
	if utf8.Valid(chunk) {
		copy(dst, chunk)
		v.line += bytes.Count(chunk, []byte{'\n'})
		switch {
		case len(chunk) == len(src):
			return len(chunk), len(chunk), nil
		case len(chunk) < n && n == len(src):
			return len(chunk), len(chunk), transform.ErrShortSrc
		default:
			return len(chunk), len(chunk), transform.ErrShortDst
		}
	}
	return v.slowTransform(dst, src, atEOF)
}

// trimPartialRune drops an incomplete rune at the end of b, unless the
// input ends there (then it is invalid, and validation says so).
func trimPartialRune(b []byte, final bool) []byte {
	if final {
		return b
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

func (v *utf8Validator) slowTransform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		b := src[nSrc]
		size := 1
		if b >= utf8.RuneSelf {
			if !utf8.FullRune(src[nSrc:]) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			var r rune
			if r, size = utf8.DecodeRune(src[nSrc:]); r == utf8.RuneError && size == 1 {
				return nDst, nSrc, &InvalidUTF8Error{Line: v.line}
			}
		} else if b == '\n' {
			v.line++
		}
		if nDst+size > len(dst) {
			if b == '\n' {
				v.line--
			}
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], src[nSrc:nSrc+size])
		nSrc += size
	}
	return nDst, nSrc, nil
}
