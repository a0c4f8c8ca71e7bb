package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/anam-ai/anam-go/api"
)

// maxDataBytes bounds a JSON body read from --data @file or standard input.
const maxDataBytes = 16 << 20

// requestBody is the body of one call, built from --data, the body field
// flags and --form.
type requestBody struct {
	r           io.Reader // nil: no body
	contentType string
}

// close releases what the body holds (a multipart stream's writer).
func (b requestBody) close() {
	if c, ok := b.r.(io.Closer); ok {
		_ = c.Close()
	}
}

// buildBody makes the request body: multipart when --form is given (or
// the operation takes only multipart), else JSON from --data with the body
// field flags merged into it (a flag wins over the same field in --data).
func buildBody(c *command, cf *commandFlags, stdin io.Reader) (requestBody, error) {
	var fields []*specFlag
	for _, f := range cf.body {
		if f.given() {
			fields = append(fields, f)
		}
	}
	multipartOnly := c.op.Body == api.BodyMultipart
	if len(cf.forms) > 0 || (multipartOnly && len(fields) > 0) {
		if cf.data != "" {
			return requestBody{}, usagef("--data and --form do not go together: --data sends JSON, --form a multipart form")
		}
		for _, f := range fields {
			if !f.inForm {
				return requestBody{}, usagef("--%s is a field of the JSON body, and --form sends a multipart form: give it in --data, or without --form", f.name)
			}
		}
		return formBody(cf.forms, fields)
	}
	for _, f := range fields {
		if !f.inJSON {
			return requestBody{}, usagef("--%s is a field of the multipart form: give it with --form %s=...", f.name, f.field)
		}
	}
	if cf.data == "" && len(fields) == 0 {
		return requestBody{}, nil
	}
	data, err := readData(cf.data, stdin)
	if err != nil {
		return requestBody{}, err
	}
	if len(fields) > 0 {
		if data, err = mergeFields(data, fields); err != nil {
			return requestBody{}, err
		}
	}
	return requestBody{r: bytes.NewReader(data), contentType: "application/json"}, nil
}

// readData reads --data: inline JSON, @path, or - for standard input. It
// must be JSON; an empty --data is nothing.
func readData(arg string, stdin io.Reader) ([]byte, error) {
	var data []byte
	switch {
	case arg == "":
		return nil, nil
	case arg == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, maxDataBytes+1))
		if err != nil {
			return nil, fmt.Errorf("reading --data from standard input: %w", err)
		}
		data = b
	case strings.HasPrefix(arg, "@"):
		f, err := os.Open(arg[1:])
		if err != nil {
			return nil, usagef("--data %s: %v", arg, errors.Unwrap(err))
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxDataBytes+1)); err != nil {
			return nil, fmt.Errorf("reading --data %s: %w", arg, err)
		}
	default:
		data = []byte(arg)
	}
	if len(data) > maxDataBytes {
		return nil, usagef("--data is over %d MiB", maxDataBytes>>20)
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		return nil, usagef("--data is not valid JSON: %v", err)
	}
	return data, nil
}

// mergeFields sets the given body fields in data, which must be a JSON
// object (or nothing).
func mergeFields(data []byte, fields []*specFlag) ([]byte, error) {
	obj := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			return nil, usagef("--data must be a JSON object when field flags such as --%s are given", fields[0].name)
		}
	}
	for _, f := range fields {
		v := f.values[0]
		if f.kind == kindString {
			b, _ := json.Marshal(v)
			v = string(b)
		}
		obj[f.field] = json.RawMessage(v)
	}
	return json.Marshal(obj)
}

// formPart is one part of a multipart form: a text value, or a file.
type formPart struct {
	name, value string
	path        string // a file to upload when not ""
}

// formBody builds a streaming multipart body from --form name=value and
// name=@path, then the body field flags (which replace --form parts of the
// same name). Every file must exist before anything is sent.
func formBody(forms []string, fields []*specFlag) (requestBody, error) {
	flagged := map[string]bool{}
	for _, f := range fields {
		flagged[f.field] = true
	}
	var parts []formPart
	for _, s := range forms {
		name, value, _ := strings.Cut(s, "=")
		if name == "" {
			return requestBody{}, usagef("--form %q has no field name", s)
		}
		if flagged[name] {
			continue
		}
		p := formPart{name: name, value: value}
		if path, ok := strings.CutPrefix(value, "@"); ok {
			st, err := os.Stat(path)
			switch {
			case err != nil:
				return requestBody{}, usagef("--form %s: %v", name, err)
			case !st.Mode().IsRegular():
				return requestBody{}, usagef("--form %s: %s is not a regular file", name, path)
			}
			p = formPart{name: name, path: path}
		}
		parts = append(parts, p)
	}
	for _, f := range fields {
		parts = append(parts, formPart{name: f.field, value: f.values[0]})
	}
	s := &formStream{parts: parts, boundary: multipart.NewWriter(io.Discard).Boundary()}
	return requestBody{r: s, contentType: "multipart/form-data; boundary=" + s.boundary}, nil
}

// formStream is a multipart/form-data body written on the fly through an
// io.Pipe, so a file of any size is streamed, never held in memory. It can
// seek back to its start, which writes the form anew (files are reopened),
// so the SDK can retry an upload; Close stops the writer.
type formStream struct {
	parts    []formPart
	boundary string

	mu  sync.Mutex
	pr  *io.PipeReader // the current writing; nil before the first Read
	pos int64
}

var errStreamStopped = errors.New("multipart stream stopped")

func (s *formStream) Read(p []byte) (int, error) {
	s.mu.Lock()
	if s.pr == nil {
		pr, pw := io.Pipe()
		s.pr = pr
		go func() { pw.CloseWithError(s.write(pw)) }()
	}
	pr := s.pr
	s.mu.Unlock()
	n, err := pr.Read(p)
	s.mu.Lock()
	s.pos += int64(n)
	s.mu.Unlock()
	return n, err
}

// Seek tells the position (Seek(0, io.SeekCurrent)) or goes back to the
// start (Seek(0, io.SeekStart)); nothing else.
func (s *formStream) Seek(offset int64, whence int) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case offset == 0 && whence == io.SeekCurrent:
		return s.pos, nil
	case offset == 0 && whence == io.SeekStart:
		s.stopLocked()
		s.pos = 0
		return 0, nil
	}
	return 0, errors.New("a multipart stream can only go back to its start")
}

// Close stops the current writing, closing the file it reads.
func (s *formStream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopLocked()
	return nil
}

func (s *formStream) stopLocked() {
	if s.pr != nil {
		s.pr.CloseWithError(errStreamStopped)
		s.pr = nil
	}
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "%0D", "\n", "%0A")

// write writes the whole form to w.
func (s *formStream) write(w io.Writer) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(s.boundary); err != nil {
		return err
	}
	for _, p := range s.parts {
		if p.path == "" {
			if err := mw.WriteField(p.name, p.value); err != nil {
				return err
			}
			continue
		}
		if err := writeFile(mw, p); err != nil {
			return err
		}
	}
	return mw.Close()
}

func writeFile(mw *multipart.Writer, p formPart) error {
	f, err := os.Open(p.path)
	if err != nil {
		return err
	}
	defer f.Close()
	ctype := mime.TypeByExtension(filepath.Ext(p.path))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`,
		quoteEscaper.Replace(p.name), quoteEscaper.Replace(filepath.Base(p.path))))
	h.Set("Content-Type", ctype)
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	_, err = io.Copy(pw, f)
	return err
}
