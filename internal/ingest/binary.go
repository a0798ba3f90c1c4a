package ingest

import (
	"archive/zip"
	"bytes"
	"strings"

	"github.com/socle/socle/internal/errs"
)

// supportedFormats ends the refusal of a file that is no table at all.
const supportedFormats = "Socle imports CSV, JSON, JSON Lines, GeoJSON and XLSX"

// signature is how a kind of file that is not a text table starts.
type signature struct {
	magic string
	kind  string // completes "this looks like …"
	hint  string // what to do about it, or ""
}

// signatures are the files people upload by mistake. Each magic is binary
// enough that no CSV header starts with it, except PAR1, which binaryKind
// checks further.
var signatures = []signature{
	{"PAR1", "a Parquet file", ""},
	{"%PDF-", "a PDF document", ""},
	{"\x1f\x8b", "a gzip-compressed file", "decompress it first"},
	{"\xfd7zXZ\x00", "an xz-compressed file", "decompress it first"},
	{"\x28\xb5\x2f\xfd", "a zstd-compressed file", "decompress it first"},
	{"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "extract the data file first"},
	{"Rar!\x1a\x07", "a RAR archive", "extract the data file first"},
	{"\x7fELF", "an executable program", ""},
	{"\x89PNG\r\n\x1a\n", "a PNG image", ""},
	{"\xff\xd8\xff", "a JPEG image", ""},
	{"GIF87a", "a GIF image", ""},
	{"GIF89a", "a GIF image", ""},
	{"SQLite format 3\x00", "an SQLite database", ""},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls) or another legacy Office file", "save it as XLSX or CSV"},
}

// binaryKind names what head, the first bytes of a file, looks like when it
// is a known kind of file that is not a text table, and returns "" otherwise.
// ZIP archives are left to zipKind, since an XLSX workbook is one.
func binaryKind(head []byte) (kind, hint string) {
	for _, s := range signatures {
		if !bytes.HasPrefix(head, []byte(s.magic)) {
			continue
		}
		// A header line could start with PAR1; a Parquet file goes on with
		// a Thrift page header, whose first byte is a control character.
		if s.magic == "PAR1" && (len(head) == 4 || !isControl(head[4])) {
			continue
		}
		return s.kind, s.hint
	}
	return "", ""
}

func isControl(b byte) bool { return b < 0x20 && b != '\t' && b != '\n' && b != '\r' }

// isZIP reports whether head starts like a ZIP archive (an empty one too).
func isZIP(head []byte) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06"))
}

// kindXLSX is what zipKind calls an archive that looks like a workbook.
const kindXLSX = "an XLSX workbook"

// zipKind guesses from the first local file headers (their names are in
// clear) what a ZIP archive is, for a message only: XLSX workbooks start
// with parts under xl/ or the content types that list them, OpenDocument
// files with an uncompressed mimetype entry.
func zipKind(head []byte) (kind, hint string) {
	switch {
	case bytes.Contains(head, []byte("opendocument.spreadsheet")):
		return "an OpenDocument spreadsheet (.ods)", "save it as XLSX or CSV"
	case bytes.Contains(head, []byte("xl/")) || bytes.Contains(head, []byte("[Content_Types].xml")):
		return kindXLSX, ""
	}
	return "a ZIP archive, not a data file", "extract the data file first"
}

// refuseBinary is the error for a file whose first bytes say it is not a text
// table in the given format, or nil.
func refuseBinary(head []byte, format Format) error {
	kind, hint := binaryKind(head)
	if kind == "" && isZIP(head) {
		kind, hint = zipKind(head)
		if kind == kindXLSX {
			if format == FormatXLSX {
				return nil
			}
			return errs.E(errs.Invalid, "this looks like an XLSX workbook, not %s: import it as XLSX", formatName(format))
		}
	}
	if kind == "" {
		return nil
	}
	return notATable(kind, hint)
}

func notATable(kind, hint string) error {
	if hint != "" {
		return errs.E(errs.Invalid, "this looks like %s; %s (%s)", kind, supportedFormats, hint)
	}
	return errs.E(errs.Invalid, "this looks like %s; %s", kind, supportedFormats)
}

func formatName(f Format) string {
	switch f {
	case FormatCSV:
		return "CSV text"
	case FormatJSONL:
		return "JSON Lines"
	case FormatGeoJSON:
		return "GeoJSON"
	}
	return strings.ToUpper(string(f))
}

// checkXLSX refuses a ZIP archive with no workbook part: excelize would open
// it and report a missing sheet. A damaged archive is left to excelize.
func checkXLSX(path string, head []byte) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil
	}
	defer z.Close()
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/") {
			return nil
		}
	}
	kind, hint := zipKind(head)
	if kind == kindXLSX { // [Content_Types].xml but no workbook
		kind, hint = zipKind(nil)
	}
	return notATable(kind, hint)
}

// nulOffset is the offset of the first NUL character of sample, or -1. In
// UTF-16 a NUL is a zero code unit; the zero bytes of Latin text are not.
func nulOffset(sample []byte, enc string) int {
	if enc != EncodingUTF16LE && enc != EncodingUTF16BE {
		return bytes.IndexByte(sample, 0)
	}
	for i := 0; i+1 < len(sample); i += 2 {
		if sample[i] == 0 && sample[i+1] == 0 {
			return i
		}
	}
	return -1
}
