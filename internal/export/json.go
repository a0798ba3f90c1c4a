package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/socle/socle/internal/catalog"
	"github.com/socle/socle/internal/errs"
)

// jsonWriter writes a JSON array of flat objects, or JSON Lines (one
// object per line). Keys follow the field order.
type jsonWriter struct {
	w      *bufio.Writer
	fields []catalog.Field
	keys   [][]byte // `"name":` for each field, encoded once
	lines  bool
	n      int // rows written
	enc    valueEncoder
}

func newJSONWriter(w io.Writer, fields []catalog.Field, lines bool) *jsonWriter {
	return &jsonWriter{
		w:      bufio.NewWriterSize(w, bufferSize),
		fields: fields,
		keys:   encodeKeys(fields),
		lines:  lines,
		enc:    newValueEncoder(),
	}
}

func (j *jsonWriter) Write(row catalog.Row) error {
	if err := checkRow(row, j.fields); err != nil {
		return err
	}
	switch {
	case j.lines:
	case j.n == 0:
		j.w.WriteString("[")
	default:
		j.w.WriteString(",\n")
	}
	j.n++
	j.w.WriteByte('{')
	for i, v := range row {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.Write(j.keys[i])
		if err := j.enc.encode(j.w, JSONValue(j.fields[i].Type, v)); err != nil {
			return err
		}
	}
	_, err := j.w.WriteString("}")
	if j.lines {
		_, err = j.w.WriteString("\n")
	}
	return err
}

func (j *jsonWriter) Close() error {
	if !j.lines {
		if j.n == 0 {
			j.w.WriteString("[")
		}
		j.w.WriteString("]\n")
	}
	return j.w.Flush()
}

// encodeKeys returns `"name":` for each field.
func encodeKeys(fields []catalog.Field) [][]byte {
	keys := make([][]byte, len(fields))
	enc := newValueEncoder()
	for i, f := range fields {
		var b bytes.Buffer
		enc.encode(&b, f.Name) // a string always encodes
		b.WriteByte(':')
		keys[i] = b.Bytes()
	}
	return keys
}

// valueEncoder encodes JSON values without HTML escaping (ODS does not
// escape <, > and &) and without encoding/json's trailing newline.
type valueEncoder struct {
	buf *bytes.Buffer
	enc *json.Encoder
}

func newValueEncoder() valueEncoder {
	buf := new(bytes.Buffer)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	return valueEncoder{buf: buf, enc: enc}
}

func (e valueEncoder) encode(w io.Writer, v any) error {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return errs.Wrap(errs.Internal, err, "export: encoding a value")
	}
	b := e.buf.Bytes()
	_, err := w.Write(b[:len(b)-1])
	return err
}
