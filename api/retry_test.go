package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/gen"
)

// bodyOp is an operation sending method with a body: an operation the
// spec does not have, described at run time, as a generic tool would.
func bodyOp(method string) *api.Operation {
	return &api.Operation{ID: "sendThing", Method: method, Path: "/v1/things/{id}",
		PathParams: []api.Param{{Name: "id", Required: true}}, Body: api.BodyJSON, Result: api.ResultObject}
}

// sendThing calls bodyOp through Client.Do and decodes the avatar it answers.
func sendThing(ctx context.Context, c *api.Client, method string, body io.Reader) (*gen.Avatar, error) {
	req := api.RawRequest{PathArgs: []string{"thing-1"}}
	if body != nil {
		req.Body, req.ContentType = body, "application/json"
	}
	resp, err := c.Do(ctx, bodyOp(method), req)
	if err != nil {
		return nil, err
	}
	var a gen.Avatar
	if err := json.Unmarshal(resp.Body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

const payload = `{"displayName":"Liv","note":"replay me"}`

// opaqueReader hides the reader's type from http.NewRequest, which then
// cannot make the body replayable.
type opaqueReader struct{ io.Reader }

func TestRetriesByMethodAndBody(t *testing.T) {
	busy := jsonReply(503, `{"message":"busy"}`)
	cases := []struct {
		name     string
		method   string
		body     func() io.Reader
		steps    []step
		requests int
		ok       bool
	}{
		{"PUT 503 then 200, body replayed", "PUT", func() io.Reader { return bytes.NewReader([]byte(payload)) }, []step{busy, okAvatar}, 2, true},
		{"DELETE 503 then 200", "DELETE", func() io.Reader { return nil }, []step{busy, okAvatar}, 2, true},
		{"PUT with an unreplayable body", "PUT", func() io.Reader { return opaqueReader{strings.NewReader(payload)} }, []step{busy}, 1, false},
		{"POST 503", "POST", func() io.Reader { return strings.NewReader(payload) }, []step{busy}, 1, false},
		{"POST 429", "POST", func() io.Reader { return strings.NewReader(payload) }, []step{jsonReply(429, `{}`)}, 1, false},
		{"POST reset mid-body", "POST", func() io.Reader { return strings.NewReader(payload) }, []step{resetBody("{")}, 1, false},
		{"POST timed out", "POST", func() io.Reader { return strings.NewReader(payload) }, []step{stallHeaders}, 1, false},
		{"POST refused then 200, body replayed", "POST", func() io.Reader { return strings.NewReader(payload) }, []step{refuse, refuse, okAvatar}, 3, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := newFake(tc.steps...)
				body := tc.body()
				a, err := sendThing(t.Context(), f.Client(t), tc.method, body)
				seen := f.requests()
				if len(seen) != tc.requests {
					t.Errorf("%d requests, want %d (err %v)", len(seen), tc.requests, err)
				}
				if tc.ok != (err == nil && a != nil) {
					t.Fatalf("Get = %v, %v", a, err)
				}
				var ae *api.Error
				if err != nil && (!errors.As(err, &ae) || ae.Attempts != tc.requests || ae.Method != tc.method) {
					t.Errorf("err = %#v", err)
				}
				for i, r := range seen {
					if want := map[bool]string{true: payload, false: ""}[body != nil]; r.body != want || r.method != tc.method {
						t.Errorf("request %d: %s with body %q, want %q", i+1, r.method, r.body, want)
					}
				}
			})
		})
	}
}

func TestMaxRetries(t *testing.T) {
	for _, n := range []int{0, 1, 5} {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(jsonReply(500, `{}`))
			_, err := f.Client(t, api.WithMaxRetries(n)).GetAvatar(t.Context(), knownID)
			var ae *api.Error
			if !errors.As(err, &ae) || ae.Attempts != n+1 || len(f.requests()) != n+1 {
				t.Errorf("WithMaxRetries(%d): err %v after %d requests", n, err, len(f.requests()))
			}
		})
	}
	if _, err := api.NewClient(api.WithAPIKey("k"), api.WithMaxRetries(-1)); err == nil || !strings.Contains(err.Error(), "0 to disable") {
		t.Errorf("WithMaxRetries(-1): %v", err)
	}
	if _, err := api.NewClient(api.WithAPIKey("k"), api.WithRetryPolicy(nil)); err == nil {
		t.Error("WithRetryPolicy(nil) accepted")
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Run("observes", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(jsonReply(503, `{"message":"busy"}`, "Retry-After", "2"), refuse, jsonReply(404, `{}`))
			var infos []api.RetryInfo
			c := f.Client(t, api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
				infos = append(infos, info)
				return info.Retry, info.Delay
			}))
			_, err := c.GetAvatar(t.Context(), knownID)
			if !errors.Is(err, api.ErrNotFound) || len(infos) != 3 {
				t.Fatalf("err %v, %d infos", err, len(infos))
			}
			want := []struct {
				attempt int
				retry   bool
				status  int
			}{{1, true, 503}, {2, true, 0}, {3, false, 404}}
			for i, w := range want {
				in := infos[i]
				if in.Attempt != w.attempt || in.Retry != w.retry || in.Err.StatusCode != w.status || in.Err.Attempts != w.attempt {
					t.Errorf("info %d = %+v", i, in)
				}
			}
			if infos[0].Delay != 2*time.Second || infos[0].Err.RetryAfter != 2*time.Second {
				t.Errorf("Retry-After not the delay: %+v", infos[0])
			}
			if d := infos[1].Delay; d < api.RetryBaseDelay || d > 2*api.RetryBaseDelay {
				t.Errorf("second delay %v, want the backoff's 0.5–1 s", d)
			}
		})
	})
	t.Run("retries a 404", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(jsonReply(404, `{"message":"not yet"}`), okAvatar)
			c := f.Client(t, api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
				if info.Err.StatusCode == 404 {
					return true, 2 * time.Second
				}
				return info.Retry, info.Delay
			}))
			start := time.Now()
			if _, err := c.GetAvatar(t.Context(), knownID); err != nil || time.Since(start) != 2*time.Second {
				t.Errorf("err %v after %v", err, time.Since(start))
			}
		})
	})
	t.Run("stops and hurries", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(jsonReply(500, `{}`))
			c := f.Client(t, api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
				return info.Attempt < 2, -time.Hour
			}))
			start := time.Now()
			_, err := c.GetAvatar(t.Context(), knownID)
			if len(f.requests()) != 2 || time.Since(start) != 0 || !errors.Is(err, api.ErrServer) {
				t.Errorf("%d requests in %v: %v", len(f.requests()), time.Since(start), err)
			}
		})
	})
}

func TestEditorErrorIsNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(okAvatar)
		boom := errors.New("token source unavailable")
		c := f.Client(t, api.WithRequestEditor(func(context.Context, *http.Request) error { return boom }))
		_, err := c.GetAvatar(t.Context(), knownID)
		var ae *api.Error
		if !errors.Is(err, boom) || !errors.As(err, &ae) || ae.Attempts != 1 || ae.Temporary() || len(f.requests()) != 0 {
			t.Errorf("err = %v after %d requests", err, len(f.requests()))
		}
	})
}

// TestRateLimitGate: once the server answers 429 with Retry-After, every
// request of the client waits for it, concurrent ones and those sent
// through Gen included.
func TestRateLimitGate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(jsonReply(429, `{"message":"slow down"}`, "Retry-After", "5"), okAvatar)
		c := f.Client(t)
		var wg sync.WaitGroup
		errs := make(chan error, 5)
		wg.Go(func() {
			_, err := c.GetAvatar(t.Context(), knownID)
			errs <- err
		})
		synctest.Wait() // the first call got its 429 and waits
		time.Sleep(time.Second)
		for range 3 {
			wg.Go(func() {
				_, err := c.GetAvatar(t.Context(), knownID)
				errs <- err
			})
		}
		wg.Go(func() {
			_, err := c.Do(t.Context(), bodyOp("GET"), api.RawRequest{PathArgs: []string{knownID}})
			errs <- err
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		seen := f.requests()
		if len(seen) != 6 {
			t.Fatalf("%d requests, want 6", len(seen))
		}
		start := seen[0].at
		for i, r := range seen[1:] {
			if d := r.at.Sub(start); d != 5*time.Second {
				t.Errorf("request %d sent at +%v, want +5s", i+2, d)
			}
		}
	})
}

func TestRateLimitGatePastDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(jsonReply(429, `{}`, "Retry-After", "30"), okAvatar)
		c := f.Client(t, api.WithMaxRetries(0))
		if _, err := c.GetAvatar(t.Context(), knownID); !errors.Is(err, api.ErrRateLimited) {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.GetAvatar(ctx, knownID)
		var ae *api.Error
		if !errors.Is(err, api.ErrRateLimited) || !errors.As(err, &ae) || ae.Attempts != 0 || time.Since(start) != 0 ||
			!strings.Contains(err.Error(), "no request was sent") {
			t.Errorf("err = %v after %v; want ErrRateLimited at once, nothing sent", err, time.Since(start))
		}
		if len(f.requests()) != 1 {
			t.Errorf("%d requests", len(f.requests()))
		}
		if _, err := c.GetAvatar(t.Context(), knownID); err != nil || time.Since(start) != 30*time.Second {
			t.Errorf("without a deadline: %v after %v, want success after 30s", err, time.Since(start))
		}
	})
}

// TestBackoff checks the delays against the documented exponential backoff
// with jitter: the nth in [d/2, d] with d = min(8 s, 0.5 s·2ⁿ⁻¹).
func TestBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		distinct := map[time.Duration]bool{}
		for range 10 {
			var delays []time.Duration
			f := newFake(jsonReply(502, `{}`))
			c := f.Client(t, api.WithMaxRetries(7), api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
				delays = append(delays, info.Delay)
				return info.Retry, info.Delay
			}))
			if _, err := c.GetAvatar(t.Context(), knownID); err == nil {
				t.Fatal("no error")
			}
			if len(delays) != 7 {
				t.Fatalf("%d delays", len(delays))
			}
			for i, d := range delays {
				hi := min(api.RetryMaxDelay, api.RetryBaseDelay<<i)
				if d < hi/2 || d > hi {
					t.Errorf("delay %d = %v, want %v to %v", i+1, d, hi/2, hi)
				}
				distinct[d] = true
			}
		}
		if len(distinct) < 20 {
			t.Errorf("only %d distinct delays in 70: no jitter?", len(distinct))
		}
	})
}

func TestRetryAfterForms(t *testing.T) {
	cases := []struct {
		value string
		lo    time.Duration
		hi    time.Duration
	}{
		{"0", 0, 0},
		{"7", 7 * time.Second, 7 * time.Second},
		{"60", time.Minute, time.Minute},                     // the longest waited for
		{"soon", api.RetryBaseDelay / 2, api.RetryBaseDelay}, // not a Retry-After: the backoff
		{"-5", api.RetryBaseDelay / 2, api.RetryBaseDelay},
		{"Sat, 01 Jan 2000 00:00:09 GMT", 9 * time.Second, 9 * time.Second},
		{"Fri, 31 Dec 1999 23:00:00 GMT", 0, 0}, // in the past
		{"Saturday, 01-Jan-00 00:00:04 GMT", 4 * time.Second, 4 * time.Second},
	}
	for _, tc := range cases {
		synctest.Test(t, func(t *testing.T) {
			f := newFake(jsonReply(503, `{}`, "Retry-After", tc.value), okAvatar)
			var got time.Duration
			c := f.Client(t, api.WithRetryPolicy(func(_ context.Context, info api.RetryInfo) (bool, time.Duration) {
				got = info.Delay
				return info.Retry, info.Delay
			}))
			if _, err := c.GetAvatar(t.Context(), knownID); err != nil {
				t.Fatal(err)
			}
			if got < tc.lo || got > tc.hi {
				t.Errorf("Retry-After %q: waited %v, want %v to %v", tc.value, got, tc.lo, tc.hi)
			}
		})
	}
}

// TestTimeoutIsPerAttempt: each attempt has the full timeout; the caller's
// deadline bounds the whole call.
func TestTimeoutIsPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake(stallHeaders)
		ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
		defer cancel()
		start := time.Now()
		_, err := f.Client(t).GetAvatar(ctx, knownID)
		var ae *api.Error
		if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ae) || ae.Attempts != 2 || time.Since(start) != 45*time.Second {
			t.Errorf("err = %v after %v", err, time.Since(start))
		}
		if ae != nil && ae.Temporary() {
			t.Errorf("the caller's deadline is not temporary: %v", err)
		}
	})
}

func TestLogger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		f := newFake(jsonReply(503, `{"message":"busy"}`, "Retry-After", "1"), okAvatar)
		if _, err := f.Client(t, api.WithLogger(logger)).GetAvatar(t.Context(), knownID); err != nil {
			t.Fatal(err)
		}
		var lines []map[string]any
		for line := range strings.SplitSeq(strings.TrimSpace(buf.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%v: %s", err, line)
			}
			lines = append(lines, m)
		}
		if len(lines) != 2 {
			t.Fatalf("%d lines:\n%s", len(lines), buf.String())
		}
		for i, m := range lines {
			if m["level"] != "DEBUG" || m["op"] != "getAvatar" || m["method"] != "GET" || m["path"] != "/v1/avatars/"+knownID ||
				m["attempt"] != float64(i+1) || m["duration"] == nil || m["request_id"] != "req-fault" {
				t.Errorf("line %d = %v", i+1, m)
			}
		}
		if lines[0]["status"] != float64(503) || lines[0]["retry_in"] != float64(time.Second) || lines[0]["error"] == nil {
			t.Errorf("first line = %v", lines[0])
		}
		if lines[1]["status"] != float64(200) || lines[1]["error"] != nil || lines[1]["retry_in"] != nil {
			t.Errorf("second line = %v", lines[1])
		}
		if strings.Contains(buf.String(), testKey) || strings.Contains(strings.ToLower(buf.String()), "authorization") {
			t.Errorf("the log shows the key or a header:\n%s", buf.String())
		}

		buf.Reset()
		quiet := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		if _, err := newFake(okAvatar).Client(t, api.WithLogger(quiet)).GetAvatar(t.Context(), knownID); err != nil || buf.Len() != 0 {
			t.Errorf("an Info logger got %q", buf.String())
		}
		if _, err := api.NewClient(api.WithAPIKey("k"), api.WithLogger(nil)); err == nil {
			t.Error("WithLogger(nil) accepted")
		}
	})
}
