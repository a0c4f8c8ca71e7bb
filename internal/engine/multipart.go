package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/anam-ai/anam-go/upload"
)

// multipartBody is a multipart/form-data request body built from a
// generated Form struct: each set field is a part named by its json tag,
// an upload.File a file part streamed from its Reader, a string, number or
// boolean a text part, anything else a JSON part. Nothing is held in
// memory but the part being written.
type multipartBody struct {
	fields   []formField
	boundary string
	starts   []int64 // where each file's Reader started, for a replay

	last *formAttempt // the writing of the last attempt
}

// formAttempt is the writing of one attempt's form: a goroutine writes it
// into a pipe the attempt's request reads.
type formAttempt struct {
	pr   *io.PipeReader
	body *attemptBody  // over pr
	done chan struct{} // closed when the writer goroutine has returned
}

// stop stops the writing and waits for its goroutine to return, or for
// giveUp to be closed (nil: never): the files it reads are then free to
// be rewound, or the caller's again.
func (a *formAttempt) stop(giveUp <-chan struct{}) {
	a.pr.CloseWithError(errAttemptOver) // the writer's next write fails
	a.body.Close()
	select {
	case <-a.done:
	case <-giveUp:
	}
}

type formField struct {
	name  string
	value reflect.Value
	file  *upload.File
}

var fileType = reflect.TypeFor[upload.File]()

// newMultipartBody reads the set fields of form, a generated Form struct.
func newMultipartBody(op *Operation, form any) (*multipartBody, error) {
	v := reflect.ValueOf(form)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, &ArgumentError{Operation: op.ID, Name: "body", Rule: "a form (the spec requires one)"}
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, &ArgumentError{Operation: op.ID, Name: "body", Value: v.Type().String(), Rule: "a Form struct"}
	}
	b := &multipartBody{boundary: multipart.NewWriter(io.Discard).Boundary()}
	for _, sf := range reflect.VisibleFields(v.Type()) {
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || !sf.IsExported() || sf.Anonymous {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f := v.FieldByIndex(sf.Index)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				continue
			}
			f = f.Elem()
		}
		if f.Type() == fileType {
			file := f.Interface().(upload.File)
			if file.Reader == nil {
				if strings.Contains(opts, "omitempty") {
					continue
				}
				return nil, &ArgumentError{Operation: op.ID, Name: name, Rule: "an upload.File with a Reader"}
			}
			if file.ContentType != "" {
				if why := badMediaType(file.ContentType); why != "" {
					return nil, &ArgumentError{Operation: op.ID, Name: name + ".ContentType", Value: file.ContentType, Rule: "a media type such as image/png: " + why}
				}
			}
			b.fields = append(b.fields, formField{name: name, file: &file})
			continue
		}
		if strings.Contains(opts, "omitempty") && f.IsZero() {
			continue
		}
		b.fields = append(b.fields, formField{name: name, value: f})
	}
	return b, nil
}

func (b *multipartBody) replayable() bool {
	for _, f := range b.fields {
		if f.file != nil {
			if _, ok := f.file.Reader.(io.Seeker); !ok {
				return false
			}
		}
	}
	return true
}

func (b *multipartBody) streamed() bool { return true }

func (b *multipartBody) open(first bool) (io.Reader, string, int64, error) {
	if !first {
		if !b.replayable() || slices.Contains(b.starts, -1) {
			return nil, "", 0, errNotReplayable
		}
		b.last.stop(nil)
	}
	files := 0
	for _, f := range b.fields {
		if f.file == nil {
			continue
		}
		s, canSeek := f.file.Reader.(io.Seeker)
		switch {
		case first:
			pos := int64(-1)
			if canSeek {
				if p, err := s.Seek(0, io.SeekCurrent); err == nil {
					pos = p
				}
			}
			b.starts = append(b.starts, pos)
		default:
			if _, err := s.Seek(b.starts[files], io.SeekStart); err != nil {
				return nil, "", 0, fmt.Errorf("rewinding %s for another attempt: %w", f.name, err)
			}
		}
		files++
	}
	pr, pw := io.Pipe()
	a := &formAttempt{pr: pr, body: &attemptBody{r: pr}, done: make(chan struct{})}
	b.last = a
	go func() {
		defer close(a.done)
		pw.CloseWithError(b.write(pw))
	}()
	return a.body, "multipart/form-data; boundary=" + b.boundary, -1, nil
}

func (b *multipartBody) release(ctx context.Context) {
	if b.last != nil {
		// A writer blocked in the read of a stream that has no data yet
		// cannot be stopped; the caller's context bounds the wait for it.
		b.last.stop(ctx.Done())
	}
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "%0D", "\n", "%0A")

// write writes the whole form to w.
func (b *multipartBody) write(w io.Writer) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(b.boundary); err != nil {
		return err
	}
	for _, f := range b.fields {
		if f.file != nil {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(f.name), quoteEscaper.Replace(f.file.Name)))
			ct := f.file.ContentType
			if ct == "" {
				ct = "application/octet-stream"
			}
			h.Set("Content-Type", ct)
			pw, err := mw.CreatePart(h)
			if err != nil {
				return err
			}
			if _, err := io.Copy(pw, f.file.Reader); err != nil {
				return fmt.Errorf("reading %s (%s): %w", f.name, f.file.Name, err)
			}
			continue
		}
		text, err := formText(f.value)
		if err != nil {
			return fmt.Errorf("encoding form field %s: %w", f.name, err)
		}
		if err := mw.WriteField(f.name, text); err != nil {
			return err
		}
	}
	return mw.Close()
}

// formText is a field's value as a text part.
func formText(v reflect.Value) (string, error) {
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64), nil
	}
	data, err := json.Marshal(v.Interface())
	return string(data), err
}
