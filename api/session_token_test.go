package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
)

// testToken is JWT-shaped, as the session tokens the API mints are.
var testToken = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
	base64.RawURLEncoding.EncodeToString([]byte(`{"type":"stateful","accountId":"a"}`)) + ".c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"

// tokenOp is an operation whose security accepts session tokens, as a
// generic tool describes one; keyOp one that takes the API key only; and
// tokenOnlyOp one that takes session tokens only.
var (
	tokenOp     = &api.Operation{ID: "startThing", Method: http.MethodPost, Path: "/v1/things", Body: api.BodyJSON, Result: api.ResultObject, Auth: api.AuthAPIKey | api.AuthSessionToken}
	keyOp       = &api.Operation{ID: "readThing", Method: http.MethodGet, Path: "/v1/things", Result: api.ResultObject}
	tokenOnlyOp = &api.Operation{ID: "joinThing", Method: http.MethodPost, Path: "/v1/things", Result: api.ResultObject, Auth: api.AuthSessionToken}
)

// TestSessionTokenIsSentWhereAccepted: api.WithSessionToken sends the
// token in place of the API key, on an operation whose spec security
// accepts one: the generated descriptors say which (Operation.Auth).
func TestSessionTokenIsSentWhereAccepted(t *testing.T) {
	s := newStub(t, 1)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		writeJSON(w, 200, map[string]any{"auth": r.Header.Get("Authorization")})
		return true
	})
	c := s.client(t)
	for _, op := range []*api.Operation{tokenOp, tokenOnlyOp} {
		resp, err := c.Do(context.Background(), op, api.RawRequest{}, api.WithSessionToken(testToken))
		if err != nil || !strings.Contains(string(resp.Body), `"Bearer `+testToken+`"`) {
			t.Fatalf("%s: %v %s; want the token sent as a Bearer token", op.ID, err, resp.Body)
		}
	}
	// The generated descriptors carry the spec's security: some operation
	// takes session tokens, and it takes the API key too (the overlay's
	// reading of upstream); every other one takes the API key only.
	tokens := 0
	for _, op := range api.Operations() {
		if op.Auth&api.AuthSessionToken != 0 {
			tokens++
			if op.Auth&api.AuthAPIKey == 0 {
				t.Errorf("%s takes session tokens only", op.ID)
			}
		}
	}
	if tokens == 0 {
		t.Skip("the spec lists no operation that takes session tokens")
	}
}

// TestSessionTokenMisuseIsRefused: a session token cannot be misused
// quietly. On an operation whose security does not list one, given empty,
// not a JWT, or the client's own API key, it is refused before anything is
// sent, with an *ArgumentError that never shows it; an operation that
// takes session tokens only is refused without one.
func TestSessionTokenMisuseIsRefused(t *testing.T) {
	s := newStub(t, 1)
	c := s.client(t)
	cases := []struct {
		name  string
		op    *api.Operation
		opts  []api.RequestOption
		rule  string
		token string
	}{
		{"on an operation that takes the API key only", keyOp, []api.RequestOption{api.WithSessionToken(testToken)}, "accepts the API key only", testToken},
		{"empty", tokenOp, []api.RequestOption{api.WithSessionToken("")}, "a JWT", ""},
		{"not a JWT", tokenOp, []api.RequestOption{api.WithSessionToken("session-1234567890")}, "a JWT", "session-1234567890"},
		{"with a line break", tokenOp, []api.RequestOption{api.WithSessionToken(testToken + "\r\nX: 1")}, "base64url", testToken},
		{"the API key", tokenOp, []api.RequestOption{api.WithSessionToken("sk.test-0123456789.abcdef")}, "", ""},
		{"missing where only tokens are taken", tokenOnlyOp, nil, "accepts session tokens only", ""},
	}
	key := "sk.test-0123456789.abcdef" // JWT-shaped, to reach the key check
	ck, err := api.NewClient(api.WithAPIKey(key), api.WithBaseURL(s.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		client := c
		if tc.name == "the API key" {
			client, tc.rule, tc.token = ck, "not the client's API key", key
		}
		_, err := client.Do(context.Background(), tc.op, api.RawRequest{}, tc.opts...)
		var ae *api.ArgumentError
		if !errors.As(err, &ae) || !errors.Is(err, api.ErrInvalidArgument) || ae.Name != "session token" || !strings.Contains(err.Error(), tc.rule) {
			t.Errorf("%s: err = %v, want an ArgumentError on the session token saying %q", tc.name, err, tc.rule)
			continue
		}
		if tc.token != "" && strings.Contains(err.Error(), tc.token) {
			t.Errorf("%s: the error shows the token: %v", tc.name, err)
		}
	}
	// The typed methods and the walkers refuse alike.
	if _, err := c.GetAvatar(context.Background(), knownID, api.WithSessionToken(testToken)); !errors.Is(err, api.ErrInvalidArgument) {
		t.Errorf("a typed method: err = %v", err)
	}
	for _, err := range c.Avatars(context.Background(), nil, api.WithSessionToken(testToken)) {
		if !errors.Is(err, api.ErrInvalidArgument) {
			t.Errorf("a walk: err = %v", err)
		}
	}
	if n := s.requests.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// TestSessionTokenIsRedacted: a server that echoes the session token
// (in its message, its body, a header) does not make it appear in an
// error, a log line or WithResponseInto's headers, as for the API key.
func TestSessionTokenIsRedacted(t *testing.T) {
	s := newStub(t, 1)
	s.setOverride(func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("X-Request-Id", "id-"+testToken)
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		// The token as sent, and JSON-escaped (\u002e for its dots).
		_, _ = w.Write([]byte(`{"message":"expired session token ` + testToken + `","token":"` + strings.ReplaceAll(testToken, ".", `\u002e`) + `"}`))
		return true
	})
	var logs bytes.Buffer
	c := s.client(t, api.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))), api.WithLogQuery())
	var r api.Response
	_, err := c.Do(context.Background(), tokenOp, api.RawRequest{}, api.WithSessionToken(testToken), api.WithResponseInto(&r))
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != 401 || !strings.Contains(err.Error(), "expired session token [redacted]") {
		t.Fatalf("err = %v", err)
	}
	texts := append(chainTexts(err), ae.Message, ae.Body, ae.RequestID, logs.String(), r.RequestID, r.Header.Get("X-Echo"), r.Header.Get("X-Request-Id"))
	for _, text := range texts {
		// The payload part alone is the token's secret-looking middle.
		if strings.Contains(text, strings.Split(testToken, ".")[1]) {
			t.Errorf("the session token appears: %q", text)
		}
	}
	if r.Header.Get("X-Echo") != "Bearer [redacted]" {
		t.Errorf("WithResponseInto's header %q", r.Header.Get("X-Echo"))
	}
}
