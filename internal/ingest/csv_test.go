package ingest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

func TestRealWorldFiles(t *testing.T) {
	tests := []struct {
		file      string
		encoding  string
		delimiter rune
		bom       bool
		rows      int
		cols      int
		types     map[string]catalog.FieldType
	}{
		{"scdl-subventions-poitiers-2017.csv", EncodingUTF8, ';', false, 562, 11, map[string]catalog.FieldType{
			"annee": catalog.TypeInt, "coll_siret": catalog.TypeText, "attrib_siret": catalog.TypeText,
			"acte_date": catalog.TypeDate, "sub_montant": catalog.TypeDouble,
			"notification_a_la_commission_europeenne": catalog.TypeBoolean}},
		{"scdl-subventions-haute-garonne.csv", EncodingUTF8, ';', false, 69, 14, map[string]catalog.FieldType{
			"idattribuant": catalog.TypeText, "idbeneficiaire": catalog.TypeText, "dateconvention": catalog.TypeDate,
			"montant": catalog.TypeDouble, "notificationue": catalog.TypeBoolean, "pourcentagesubvention": catalog.TypeDouble,
			"idrae": catalog.TypeText}},
		{"scdl-subventions-somme-20180302.csv", EncodingCP1252, ';', true, 41, 13, map[string]catalog.FieldType{
			"idattribuant": catalog.TypeText, "dateconvention": catalog.TypeDate, "montant": catalog.TypeDouble,
			"datesperiodeversement": catalog.TypeText}},
		{"scdl-subventions-nievre-2016.csv", EncodingCP1252, ',', false, 97, 17, map[string]catalog.FieldType{
			"coll_siret": catalog.TypeText, "acte_date": catalog.TypeDate, "sub_date_fin": catalog.TypeText}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, info := openFile(t, testdata+tt.file, Options{})
			if info.Encoding != tt.encoding || info.Delimiter != tt.delimiter || info.BOM != tt.bom {
				t.Errorf("info = %+v, want encoding %s delimiter %q BOM %v", info, tt.encoding, tt.delimiter, tt.bom)
			}
			in := NewInferrer(r.Header(), info.Delimiter)
			rows := readAll(t, r)
			for _, rec := range rows {
				in.Add(rec)
			}
			if len(rows) != tt.rows || len(r.Header()) != tt.cols {
				t.Errorf("got %d rows × %d columns, want %d × %d", len(rows), len(r.Header()), tt.rows, tt.cols)
			}
			got := typesOf(in.Fields())
			for name, want := range tt.types {
				if got[name] != want {
					t.Errorf("%s: type %s, want %s", name, got[name], want)
				}
			}
		})
	}
}

func TestSommeDecodesWindows1252AfterUTF8BOM(t *testing.T) {
	r, info := openFile(t, testdata+"scdl-subventions-somme-20180302.csv", Options{})
	if len(info.Warnings) == 0 {
		t.Error("no warning about the lying BOM")
	}
	if r.Header()[0] != "nomAttribuant" {
		t.Errorf("first label %q, want the BOM stripped", r.Header()[0])
	}
	rows := readAll(t, r)
	first := rows[0]
	for _, want := range []string{"Département de la Somme", "89 852 € HT", "jusqu’à"} {
		if !strings.Contains(strings.Join(first, "|"), want) {
			t.Errorf("first row lacks %q: %q", want, first)
		}
	}
	fields := infer(t, openAgain(t, "scdl-subventions-somme-20180302.csv"), ';').Fields()
	row, err := NewCaster(fields, r.Header(), ';').Cast(first)
	if err != nil {
		t.Fatal(err)
	}
	if row[7] != 26956.0 {
		t.Errorf("montant = %#v, want 26956", row[7])
	}
	if d, ok := row[2].(time.Time); !ok || d.Format("2006-01-02") != "2017-09-08" {
		t.Errorf("dateConvention = %v, want 2017-09-08", row[2])
	}
}

func openAgain(t *testing.T, file string) Reader {
	t.Helper()
	r, _ := openFile(t, testdata+file, Options{})
	return r
}

func TestPoitiersKeepsQuotedBareLF(t *testing.T) {
	r, _ := openFile(t, testdata+"scdl-subventions-poitiers-2017.csv", Options{})
	multiline := 0
	for _, rec := range readAll(t, r) {
		for _, c := range rec {
			if strings.Contains(c, "\n") {
				multiline++
				break
			}
		}
	}
	if multiline == 0 {
		t.Error("no cell kept its line break")
	}
	if r.Line() != 563 {
		t.Errorf("Line() = %d after the last record, want 563", r.Line())
	}
}

func TestNievreNoBreakSpaceAmounts(t *testing.T) {
	r, _ := openFile(t, testdata+"scdl-subventions-nievre-2016.csv", Options{})
	in := infer(t, r, ',')
	// SUB_MONTANT holds "17 833" (no-break space) but also "NC": text, with a
	// warning naming the record that decided it.
	if typ := typesOf(in.Fields())["sub_montant"]; typ != catalog.TypeText {
		t.Errorf("sub_montant = %s, want text", typ)
	}
	found := false
	for _, w := range in.Warnings() {
		found = found || (w.Field == "sub_montant" && w.Line == 8 && strings.Contains(w.Message, `"NC"`))
	}
	if !found {
		t.Errorf("warnings %v lack sub_montant at line 8", in.Warnings())
	}
	if v, ok := parseInt("17\u00a0833", false); !ok || v != 17833 {
		t.Errorf("17 833 → %d, %v", v, ok)
	}
}

func TestTableSchemaExamples(t *testing.T) {
	tests := []struct {
		file  string
		types map[string]catalog.FieldType
	}{
		{"comptage-mobilites-measure-eco-compteur.csv", map[string]catalog.FieldType{"start_datetime": catalog.TypeDateTime, "count": catalog.TypeInt}},
		{"comptage-mobilites-channel-eco-compteur.csv", map[string]catalog.FieldType{"started_at": catalog.TypeDateTime, "ended_at": catalog.TypeDateTime}},
		{"stationnement-cyclable.csv", map[string]catalog.FieldType{"coordonneesxy": catalog.TypeGeoPoint, "date_maj": catalog.TypeDate, "code_com": catalog.TypeText}},
		{"schema-arbre.csv", map[string]catalog.FieldType{"latitude": catalog.TypeDouble, "longitude": catalog.TypeDouble, "geo_point_2d": catalog.TypeGeoPoint, "remarquable": catalog.TypeBoolean, "code_insee": catalog.TypeText}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, info := openFile(t, testdata+tt.file, Options{})
			got := typesOf(infer(t, r, info.Delimiter).Fields())
			for name, want := range tt.types {
				if got[name] != want {
					t.Errorf("%s: %s, want %s", name, got[name], want)
				}
			}
		})
	}
}

func utf16LE(s string, bom bool) []byte {
	var b bytes.Buffer
	if bom {
		b.Write(utf16LEBOM)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.Bytes()
}

func TestCSVDialects(t *testing.T) {
	tests := []struct {
		name      string
		input     []byte
		encoding  string
		delimiter rune
		want      [][]string
	}{
		{"utf16 LE with BOM", utf16LE("nom;ville\r\nÉcole;Angers\r\n", true), EncodingUTF16LE, ';', [][]string{{"École", "Angers"}}},
		{"utf16 LE without BOM", utf16LE("nom\tville\nÉcole\tAngers\n", false), EncodingUTF16LE, '\t', [][]string{{"École", "Angers"}}},
		{"tab", []byte("a\tb\n1\t2\n"), EncodingUTF8, '\t', [][]string{{"1", "2"}}},
		{"pipe", []byte("a|b|c\n1|x, y|3\n"), EncodingUTF8, '|', [][]string{{"1", "x, y", "3"}}},
		{"semicolon with commas in text", []byte("a;b\n\"x, y, z\";2\nu,v;3\n"), EncodingUTF8, ';', [][]string{{"x, y, z", "2"}, {"u,v", "3"}}},
		{"CRLF and quoted CRLF", []byte("a,b\r\n\"l1\r\nl2\",2\r\n"), EncodingUTF8, ',', [][]string{{"l1\nl2", "2"}}},
		{"quoted bare LF in CRLF file", []byte("a;b\r\n\"l1\nl2\";2\r\n3;4\r\n"), EncodingUTF8, ';', [][]string{{"l1\nl2", "2"}, {"3", "4"}}},
		{"short row padded, trailing empty line trimmed", []byte("a,b,c\n1\n\n"), EncodingUTF8, ',', [][]string{{"1", "", ""}}},
		{"bare quote in the header does not hide the delimiter", []byte("taille 5\";b\n1;2\n"), EncodingUTF8, ';', [][]string{{"1", "2"}}},
		{"lazy quote inside unquoted cell", []byte("a;b\n5\" pipe;2\n"), EncodingUTF8, ';', [][]string{{"5\" pipe", "2"}}},
		{"UTF-8 BOM stripped", []byte("\xEF\xBB\xBFid,name\n1,中国人\n"), EncodingUTF8, ',', [][]string{{"1", "中国人"}}},
		{"latin1 body", []byte("nom,prix\nCaf\xe9,3\xa0000\n"), EncodingCP1252, ',', [][]string{{"Café", "3\u00a0000"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, info, err := NewCSVReader(bytes.NewReader(tt.input), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if info.Encoding != tt.encoding || info.Delimiter != tt.delimiter {
				t.Errorf("detected %s %q, want %s %q", info.Encoding, info.Delimiter, tt.encoding, tt.delimiter)
			}
			got := readAll(t, r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if strings.Join(got[i], "|") != strings.Join(tt.want[i], "|") {
					t.Errorf("record %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCSVBlankLabelsAreNamed(t *testing.T) {
	r, _ := openString(t, "id,,name\n1,2,3\n", Options{})
	if got := strings.Join(r.Header(), ","); got != "id,column_2,name" {
		t.Errorf("header = %s", got)
	}
}

func TestCSVErrors(t *testing.T) {
	tests := []struct {
		name  string
		input string
		opts  Options
		want  string // in the error message
	}{
		{"extra cells name the line", "a,b\n1,2\n3,4,5\n", Options{}, "line 3: 3 cells"},
		{"late invalid UTF-8 names the line", "a,b\n" + strings.Repeat("é,1\n", 300000) + "caf\xe9,2\n", Options{}, "invalid UTF-8 at line 300002"},
		{"forced UTF-8 on latin1", "a,b\ncaf\xe9,2\n", Options{Encoding: "utf-8"}, "pass --encoding windows-1252"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := openString(t, tt.input, tt.opts)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if errs.KindOf(err) != errs.Invalid {
				t.Errorf("kind %v, want invalid", errs.KindOf(err))
			}
		})
	}
}

func TestCSVEmptyFileIsAnError(t *testing.T) {
	if _, _, err := NewCSVReader(strings.NewReader(""), Options{}); errs.KindOf(err) != errs.Invalid {
		t.Errorf("err = %v, want invalid", err)
	}
}

func TestForcedOptions(t *testing.T) {
	r, info := openString(t, "a;b,c\n1;2,3\n", Options{Delimiter: ',', Encoding: "iso-8859-1"})
	if info.Encoding != EncodingLatin1 || len(r.Header()) != 2 {
		t.Errorf("info %+v header %q", info, r.Header())
	}
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, file string
		head       string
		want       Format
	}{
		{"csv by extension", "a.CSV", "{", FormatCSV},
		{"geojson by extension", "a.geojson", "", FormatGeoJSON},
		{"jsonl by extension", "a.ndjson", "", FormatJSONL},
		{"xlsx by extension", "a.xlsx", "", FormatXLSX},
		{"json array sniffed", "a.json", " [{}]", FormatJSON},
		{"feature collection in .json", "a.json", `{"type":"FeatureCollection"`, FormatGeoJSON},
		{"xlsx sniffed", "upload", "PK\x03\x04", FormatXLSX},
		{"jsonl sniffed", "upload", "{\"a\":1}\n{\"a\":2}", FormatJSONL},
		{"csv by default", "upload", "a;b\n", FormatCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectFormat(tt.file, []byte(tt.head)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
