package ingest

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func TestOpenRefusesWhatIsNotATable(t *testing.T) {
	const supported = "; Socle imports CSV, JSON, JSON Lines, GeoJSON and XLSX"
	tests := []struct {
		name    string
		file    string
		content []byte
		opts    Options
		want    string // the whole message
	}{
		{"Parquet refused", "export.parquet", []byte("PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00"), Options{},
			"this looks like a Parquet file" + supported},
		{"Parquet named .csv refused", "export.csv", []byte("PAR1\x15\x04\x15\x10"), Options{},
			"this looks like a Parquet file" + supported},
		{"PDF refused", "rapport.csv", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), Options{},
			"this looks like a PDF document" + supported},
		{"gzip refused with a hint", "data.csv.gz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), Options{},
			"this looks like a gzip-compressed file" + supported + " (decompress it first)"},
		{"ELF refused", "upload", []byte("\x7fELF\x02\x01\x01\x00"), Options{},
			"this looks like an executable program" + supported},
		{"PNG refused", "carte.csv", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), Options{},
			"this looks like a PNG image" + supported},
		{"JPEG refused", "photo.json", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), Options{},
			"this looks like a JPEG image" + supported},
		{"GIF refused", "logo", []byte("GIF89a\x01\x00\x01\x00"), Options{},
			"this looks like a GIF image" + supported},
		{"SQLite refused", "base.csv", []byte("SQLite format 3\x00\x10\x00\x01\x01"), Options{},
			"this looks like an SQLite database" + supported},
		{"legacy Excel refused with a hint", "tableau.xls", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"), Options{},
			"this looks like an Excel 97-2003 workbook (.xls) or another legacy Office file" + supported + " (save it as XLSX or CSV)"},
		{"binary forced as CSV refused", "export.parquet", []byte("PAR1\x15\x04\x15\x10"), Options{Format: FormatCSV},
			"this looks like a Parquet file" + supported},
		{"ZIP archive refused", "archive.zip", zipOf(t, "data.csv", "a,b\n1,2\n"), Options{},
			"this looks like a ZIP archive, not a data file" + supported + " (extract the data file first)"},
		{"ZIP archive named .xlsx refused", "classeur.xlsx", zipOf(t, "data.csv", "a,b\n1,2\n"), Options{},
			"this looks like a ZIP archive, not a data file" + supported + " (extract the data file first)"},
		{"ZIP archive named .csv refused", "data.csv", zipOf(t, "data.csv", "a,b\n1,2\n"), Options{},
			"this looks like a ZIP archive, not a data file" + supported + " (extract the data file first)"},
		{"OpenDocument spreadsheet refused with a hint", "tableau.ods", zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"), Options{},
			"this looks like an OpenDocument spreadsheet (.ods)" + supported + " (save it as XLSX or CSV)"},
		{"NUL bytes refused", "zeros.csv", make([]byte, 4096), Options{},
			"binary data (NUL bytes) at byte 1: this is not a text file"},
		{"NUL bytes after text refused", "upload", []byte("a,b\n1,\x002\n"), Options{},
			"binary data (NUL bytes) at byte 7: this is not a text file"},
		{"NUL character in UTF-16 refused", "u16.csv", utf16LE("a;b\r\n\x00;1\r\n", true), Options{},
			"binary data (NUL bytes) at byte 13: this is not a text file"},
		{"whitespace-only file refused", "blanc.csv", []byte("   \n \t\n"), Options{},
			"the file has no header line: line 1 holds no column names"},
		{"header of empty cells refused", "export.csv", []byte("\n;;\nnom;ville;cp\n"), Options{},
			"the file has no header line: line 2 holds no column names"},
		{"empty lines only refused", "vide.csv", []byte("\r\n\n\n"), Options{},
			"the file has no header line: it is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Open(writeFile(t, tt.file, tt.content), tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n%v\nwant\n%v", err, tt.want)
			}
			if errs.KindOf(err) != errs.Invalid {
				t.Errorf("kind %v, want invalid", errs.KindOf(err))
			}
		})
	}
}

func TestCSVReaderRefusesWhatIsNotText(t *testing.T) {
	xlsx, err := os.ReadFile(writeXLSX(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"XLSX workbook read as CSV refused", xlsx, "this looks like an XLSX workbook, not CSV text: import it as XLSX"},
		{"NUL byte past the sample refused", []byte("a,b\n" + strings.Repeat("1,2\n", 300000) + "3,\x00\n"), "binary data (NUL bytes) at line 300002: this is not a text file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _, err := NewCSVReader(bytes.NewReader(tt.input), Options{})
			for err == nil {
				_, err = r.Next()
			}
			if err.Error() != tt.want || errs.KindOf(err) != errs.Invalid {
				t.Errorf("error %v (%v), want invalid %q", err, errs.KindOf(err), tt.want)
			}
		})
	}
}

func TestOpenAcceptsTextThatLooksBinary(t *testing.T) {
	tests := []struct {
		name, file string
		content    []byte
		header     string
	}{
		{"header starting with PAR1", "parcelles.csv", []byte("PAR1;PAR2\n1;2\n"), "PAR1|PAR2"},
		{"UTF-16 without BOM", "u16.txt", utf16LE("nom\tville\nÉcole\tAngers\n", false), "nom|ville"},
		{"blank lines before the header", "export.csv", []byte("\n\nnom;ville\nx;y\n"), "nom|ville"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := openFile(t, writeFile(t, tt.file, tt.content), Options{})
			if got := strings.Join(r.Header(), "|"); got != tt.header {
				t.Errorf("header %q, want %q", got, tt.header)
			}
		})
	}
}

func TestOpenReadsXLSXNamedCSVAsXLSX(t *testing.T) {
	content, err := os.ReadFile(writeXLSX(t))
	if err != nil {
		t.Fatal(err)
	}
	r, info := openFile(t, writeFile(t, "classeur.csv", content), Options{})
	if info.Format != FormatXLSX || len(info.Warnings) != 1 || !strings.Contains(info.Warnings[0], "classeur.csv is a ZIP archive despite its name: read as XLSX") {
		t.Errorf("info %+v", info)
	}
	if got := strings.Join(r.Header(), "|"); got != "nom|montant|date|column_4" {
		t.Errorf("header %s", got)
	}
}

// zipOf is a ZIP archive holding one file.
func zipOf(t *testing.T, name, content string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	if err == nil {
		_, err = w.Write([]byte(content))
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
