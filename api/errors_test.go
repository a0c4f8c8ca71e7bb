package api_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

const knownID = "00000000-0000-4000-8000-000000000001"

func TestErrorClasses(t *testing.T) {
	cases := []struct {
		status   int
		body     string
		ctype    string
		sentinel error
		message  string
	}{
		{400, `{"message":["perPage must not be greater than 100"],"error":"Bad Request","statusCode":400}`, "application/json", api.ErrBadRequest, "perPage must not be greater than 100"},
		{422, `{"message":"unprocessable"}`, "application/json", api.ErrBadRequest, "unprocessable"},
		{401, `{"error":"Invalid API key"}`, "application/json", api.ErrUnauthorized, "Invalid API key"},
		{403, `{"error":{"message":"forbidden for this key"}}`, "application/json", api.ErrUnauthorized, "forbidden for this key"},
		{402, `{"message":"No active plan"}`, "application/json", api.ErrPaymentRequired, "No active plan"},
		{404, `{"message":"Avatar not found"}`, "application/json", api.ErrNotFound, "Avatar not found"},
		{429, `{"message":"Concurrency limit reached"}`, "application/json", api.ErrRateLimited, "Concurrency limit reached"},
		{500, `<html><body>Internal   Server Error</body></html>`, "text/html", api.ErrServer, "<html><body>Internal Server Error</body></html>"},
		{503, `{"message":"Service busy, try again"}`, "application/json", api.ErrServer, "Service busy, try again"},
	}
	all := []error{api.ErrBadRequest, api.ErrUnauthorized, api.ErrPaymentRequired, api.ErrNotFound, api.ErrRateLimited, api.ErrServer}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			s := newStub(t, 1)
			s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", tc.ctype)
				w.Header().Set("X-Request-Id", "req-123")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			_, err := s.client(t).GetAvatar(context.Background(), knownID)
			// 429, 500 and 503 are retried (DefaultMaxRetries times); the
			// others are answers that would not change.
			attempts := 1
			if tc.status == 429 || tc.status >= 500 {
				attempts = 1 + api.DefaultMaxRetries
			}
			if got := s.requests.Load(); got != int64(attempts) {
				t.Errorf("%d requests sent, want %d", got, attempts)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
			for _, other := range all {
				if other != tc.sentinel && errors.Is(err, other) {
					t.Errorf("error also matches %v", other)
				}
			}
			var ae *api.Error
			if !errors.As(err, &ae) {
				t.Fatalf("not an *api.Error: %T", err)
			}
			if ae.Operation != "getAvatar" || ae.Method != "GET" || ae.Path != "/v1/avatars/"+knownID ||
				ae.StatusCode != tc.status || ae.RequestID != "req-123" || ae.Message != tc.message || ae.Attempts != attempts {
				t.Errorf("error fields = %+v", ae)
			}
			if !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), "req-123") {
				t.Errorf("Error() = %q lacks the message or request id", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("Error() leaks the key: %q", err)
			}
		})
	}
}

func TestLongErrorBodyIsBounded(t *testing.T) {
	s := newStub(t, 1)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		w.WriteHeader(502)
		_, _ = w.Write([]byte(strings.Repeat("bad gateway ", 10000)))
		return true
	})
	_, err := s.client(t).GetAvatar(context.Background(), knownID)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != 502 {
		t.Fatalf("err = %v", err)
	}
	if len(ae.Body) > 1100 || len(ae.Message) > 210 || len(err.Error()) > 600 {
		t.Errorf("unbounded: body %d, message %d, Error() %d bytes", len(ae.Body), len(ae.Message), len(err.Error()))
	}
}

func TestBadIDIsRefusedBeforeSending(t *testing.T) {
	s := newStub(t, 1)
	c := s.client(t)
	for _, id := range []string{"", "abc", "../../v1/avatars", "00000000-0000-4000-8000-00000000000g", knownID + "/x", "00000000-0000-4000-8000-0000000000011"} {
		_, err := c.GetAvatar(context.Background(), id)
		var arg *api.ArgumentError
		if !errors.As(err, &arg) || !errors.Is(err, api.ErrInvalidArgument) {
			t.Fatalf("GetAvatar(%q) = %v, want an *ArgumentError", id, err)
		}
		if arg.Name != "id" || arg.Operation != "getAvatar" || arg.Value != id {
			t.Errorf("ArgumentError = %+v", arg)
		}
		if !strings.Contains(err.Error(), "UUID") && !strings.Contains(err.Error(), "non-empty") {
			t.Errorf("error %q does not say what an id must be", err)
		}
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("%d requests sent for bad ids", n)
	}
}

func TestBadParamsAreRefusedBeforeSending(t *testing.T) {
	s := newStub(t, 1)
	c := s.client(t)
	cases := []struct {
		params *api.ListAvatarsParams
		name   string
		rule   string
	}{
		{&api.ListAvatarsParams{Page: new(0)}, "page", "an integer of at least 1"},
		{&api.ListAvatarsParams{Page: new(-3)}, "page", "an integer of at least 1"},
		{&api.ListAvatarsParams{PerPage: new(0)}, "perPage", "an integer from 1 to 100"},
		{&api.ListAvatarsParams{PerPage: new(101)}, "perPage", "an integer from 1 to 100"},
	}
	for _, tc := range cases {
		_, err := c.ListAvatars(context.Background(), tc.params)
		var arg *api.ArgumentError
		if !errors.As(err, &arg) || arg.Name != tc.name || arg.Rule != tc.rule || arg.Operation != "listAvatars" {
			t.Errorf("ListAvatars(%s) = %v", tc.name, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("message %q does not name the parameter and range", err)
		}
		for range c.Avatars(context.Background(), tc.params) {
		}
		if _, err := c.ListAllAvatars(context.Background(), tc.params); !errors.Is(err, api.ErrInvalidArgument) {
			t.Errorf("ListAllAvatars(%s) = %v", tc.name, err)
		}
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("%d requests sent for bad params", n)
	}
	if _, err := c.ListAvatars(context.Background(), &api.ListAvatarsParams{Page: new(1), PerPage: new(100)}); err != nil {
		t.Errorf("bounds themselves refused: %v", err)
	}
}

func TestSuccessWithUnreadableBody(t *testing.T) {
	cases := []struct {
		name, ctype, body, want string
	}{
		{"html", "text/html", "<html>hello</html>", "Content-Type"},
		{"empty", "application/json", "", "empty"},
		{"null", "application/json", "null", "JSON object"},
		{"array", "application/json", "[1,2]", "JSON object"},
		{"truncated", "application/json", `{"id":"00000000-0000-4000-8000-000000000001","displayName":"Li`, "not the documented JSON"},
		{"wrong types", "application/json", `{"id":42}`, "not the documented JSON"},
		{"bad date", "application/json", `{"createdAt":"yesterday"}`, "not the documented JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStub(t, 1)
			s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write([]byte(tc.body))
				return true
			})
			a, err := s.client(t).GetAvatar(context.Background(), knownID)
			if a != nil || !errors.Is(err, api.ErrDecode) {
				t.Fatalf("GetAvatar = %v, %v; want ErrDecode", a, err)
			}
			var ae *api.Error
			if !errors.As(err, &ae) || ae.StatusCode != 200 || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v", err)
			}
			for _, sentinel := range []error{api.ErrServer, api.ErrNotFound, api.ErrBadRequest} {
				if errors.Is(err, sentinel) {
					t.Errorf("decode error matches %v", sentinel)
				}
			}
		})
	}
}

func TestListWithoutEnvelopeIsAnError(t *testing.T) {
	for _, body := range []string{`{"meta":{"total":0}}`, `{"data":[]}`, `{}`} {
		s := newStub(t, 1)
		s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
			writeJSONRaw(w, 200, body)
			return true
		})
		p, err := s.client(t).ListAvatars(context.Background(), nil)
		if p != nil || !errors.Is(err, api.ErrDecode) || !strings.Contains(err.Error(), "not a page") {
			t.Errorf("body %s: ListAvatars = %v, %v", body, p, err)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	s := newStub(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.client(t).GetAvatar(ctx, knownID)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Operation != "getAvatar" {
		t.Errorf("err = %#v", err)
	}
}

func TestTransportErrorIsWrapped(t *testing.T) {
	s := newStub(t, 1)
	c := s.client(t)
	s.srv.Close()
	_, err := c.GetAvatar(context.Background(), knownID)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != 0 || ae.Err == nil || !ae.Temporary() || ae.Attempts != 1+api.DefaultMaxRetries {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), "after 4 attempts") {
		t.Errorf("Error() = %q does not say what failed, and how often", err)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("leaks key: %v", err)
	}
}

func writeJSONRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
