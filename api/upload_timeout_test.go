package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anam-ai/anam-go/api"
)

// slowReader is a server's side of an upload: it reads the request body
// chunk by chunk, waiting pause before each chunk (or stall once, before
// the chunk at stallAt), then answers 200.
func slowReader(chunk int, pause time.Duration, stallAt int, stall time.Duration) api.Doer {
	return doerFunc(func(req *http.Request) (*http.Response, error) {
		ctx := req.Context()
		buf := make([]byte, chunk)
		total := 0
		for i := 0; ; i++ {
			wait := pause
			if i == stallAt {
				wait = stall
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				req.Body.Close()
				return nil, ctx.Err()
			}
			n, err := io.ReadFull(req.Body, buf)
			total += n
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				break
			}
			if err != nil {
				return nil, err
			}
		}
		req.Body.Close()
		return response(req, 200, http.Header{"Content-Type": {"application/json"}}, io.NopCloser(strings.NewReader(`{"id":"thing-1"}`))), nil
	})
}

// TestSlowUploadIsNotCut: an upload that keeps moving is not cut by the
// per-attempt timeout, however long it takes (issue 18: a 50 MB file at
// under 13 Mbit/s failed at 30 s); one that stalls for the timeout is.
// The per-attempt timeout of a streamed body counts from its last
// progress, and from the end of sending it for the response.
func TestSlowUploadIsNotCut(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 100<<10)
	put := func(t *testing.T, d api.Doer) (time.Duration, error) {
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(d), api.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Do(context.Background(), bodyOp(http.MethodPut), api.RawRequest{PathArgs: []string{"thing-1"}, Body: bytes.NewReader(body), ContentType: "application/json"})
		return time.Since(start), err
	}
	synctest.Test(t, func(t *testing.T) {
		// 100 chunks of 1 KiB, one a second: 100 s, over three times the
		// 30 s timeout, without a pause of 30 s.
		took, err := put(t, slowReader(1<<10, time.Second, -1, 0))
		if err != nil || took < 100*time.Second {
			t.Errorf("a slow upload: %v after %v; want success after 100 s", err, took)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		took, err := put(t, slowReader(1<<10, time.Second, 10, api.DefaultTimeout+time.Second))
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "made no progress for 30s") || took != 10*time.Second+api.DefaultTimeout {
			t.Errorf("a stalled upload: %v after %v; want the per-attempt timeout 30 s after its last progress", err, took)
		}
	})
	// A JSON body (the SDK's own, in memory) keeps the plain bound.
	synctest.Test(t, func(t *testing.T) {
		d := doerFunc(func(req *http.Request) (*http.Response, error) {
			<-req.Context().Done()
			return nil, req.Context().Err()
		})
		c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(fakeBase), api.WithDoer(d), api.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.GetAvatar(context.Background(), knownID)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != api.DefaultTimeout {
			t.Errorf("a call without an upload: %v after %v; want the 30 s bound", err, time.Since(start))
		}
	})
}
