// Package upload defines File, the Go type of every file field of a
// multipart/form-data request body of the Anam API (a `format: binary`
// string in the spec), such as the audio of a cloned voice or a knowledge
// document. The SDK streams the file from its Reader: it is never read
// into memory whole.
//
//	f, err := os.Open("voice.wav")
//	...
//	defer f.Close()
//	voice, err := client.CreateVoiceMultipart(ctx, gen.CreateVoiceForm{
//		Name:      "Narrator",
//		AudioFile: upload.File{Name: "voice.wav", Reader: f},
//	})
//
// A call whose upload fails on the way may be retried only when Reader can
// seek back to where it started (*os.File, *bytes.Reader and
// *strings.Reader can); otherwise the error says it was not retried.
package upload

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// File is a file to upload: its name (the filename the server sees), an
// optional media type, and its content.
type File struct {
	// Name is the filename sent with the content, e.g. "voice.wav". The
	// server may use its extension to tell the format.
	Name string
	// ContentType is the file's media type, e.g. "audio/wav"; empty means
	// application/octet-stream.
	ContentType string
	// Reader supplies the content. The SDK reads it to its end once per
	// attempt and does not close it.
	Reader io.Reader
}

// Bytes returns a File with the given name and content.
func Bytes(name string, content []byte) File {
	return File{Name: name, Reader: bytes.NewReader(content)}
}

// String returns a File with the given name and text content.
func String(name, content string) File {
	return File{Name: name, Reader: strings.NewReader(content)}
}

// MarshalJSON encodes a File as its name: a File has no JSON form, and a
// model printed or logged as JSON should not carry file contents.
func (f File) MarshalJSON() ([]byte, error) { return json.Marshal(f.Name) }
