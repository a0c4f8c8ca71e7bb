package anamtest_test

import (
	"bytes"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api/anamtest"
)

// The operations of testdata/sessions.yaml, which the fake finds by rule.
const (
	tokenPath    = "/v9/tokens"
	enginePath   = "/v9/engine"
	sessionsPath = "/v9/sessions"
	personasPath = "/v9/personas"
	avatarsPath  = "/v9/avatars"
)

func newSessionServer(t *testing.T, opts ...anamtest.Option) *anamtest.Server {
	t.Helper()
	return anamtest.NewServer(append([]anamtest.Option{anamtest.WithT(t), anamtest.WithSpec(sessionSpec())}, opts...)...)
}

// mint asks srv for a session token with the given request body.
func mint(t *testing.T, srv *anamtest.Server, body string) string {
	t.Helper()
	r := send(t, srv, "POST", tokenPath, srv.APIKey(), body)
	if r.status != 200 {
		t.Fatalf("mint: %d %s", r.status, r.body)
	}
	token, _ := object(t, r.body)["sessionToken"].(string)
	return token
}

// jwtParts decodes a JWT as any JWT library would: three base64url parts
// without padding, the first two JSON objects.
func jwtParts(t *testing.T, token string) (header, claims map[string]any, sig []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q: %d parts, want header.payload.signature", token, len(parts))
	}
	dec := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("token part %q is not base64url without padding: %v", s, err)
		}
		return b
	}
	if err := json.Unmarshal(dec(parts[0]), &header); err != nil {
		t.Fatalf("header: %v", err)
	}
	d := json.NewDecoder(bytes.NewReader(dec(parts[1])))
	d.UseNumber()
	if err := d.Decode(&claims); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return header, claims, dec(parts[2])
}

// TestSessionTokenIsAJWT decodes minted tokens as a JWT: HS256, and the
// claims Anam's clients read (@anam-ai/js-sdk 4.27.0 reads type, which it
// compares with "stateful" and "ephemeral", and accountId).
func TestSessionTokenIsAJWT(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	srv := newSessionServer(t, anamtest.WithClock(func() time.Time { return now }))
	persona := "8d3c1f0a-6b7e-4c2d-9e8f-1a2b3c4d5e6f"
	stateful := mint(t, srv, `{"clientLabel":"kiosk","personaConfig":{"personaId":"`+persona+`"}}`)
	ephemeral := mint(t, srv, `{"personaConfig":{"avatarId":"a","systemPrompt":"Be brief."}}`)

	header, claims, sig := jwtParts(t, stateful)
	if header["alg"] != "HS256" || header["typ"] != "JWT" || len(sig) != 32 {
		t.Errorf("header %v, %d-byte signature; want HS256 JWT", header, len(sig))
	}
	iat, _ := claims["iat"].(json.Number).Int64()
	exp, _ := claims["exp"].(json.Number).Int64()
	if claims["type"] != "stateful" || claims["personaId"] != persona || claims["clientLabel"] != "kiosk" ||
		iat != now.Unix() || exp != now.Add(time.Hour).Unix() {
		t.Errorf("stateful claims %v", claims)
	}
	account, _ := claims["accountId"].(string)
	session, _ := claims["sessionId"].(string)
	if !isUUID(account) || !isUUID(session) {
		t.Errorf("accountId %q, sessionId %q: want UUIDs", account, session)
	}
	_, eclaims, _ := jwtParts(t, ephemeral)
	if eclaims["type"] != "ephemeral" || eclaims["personaId"] != nil || eclaims["accountId"] != account || eclaims["sessionId"] == session {
		t.Errorf("ephemeral claims %v; want the same account, another sessionId", eclaims)
	}
	if hmac.Equal([]byte(stateful), []byte(ephemeral)) {
		t.Error("two tokens are the same")
	}
}

func isUUID(s string) bool {
	return len(s) == 36 && strings.Count(s, "-") == 4
}

// TestSessionTokenSecurity: each operation takes what its security lists:
// the session-token scheme (bearerFormat JWT) takes a live token this
// server minted, the other scheme the API key, and nothing else passes.
func TestSessionTokenSecurity(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithSpec(sessionSpec()), anamtest.WithT(rec), anamtest.WithClock(now))
	defer srv.Close()
	other := newSessionServer(t)
	token := mint(t, srv, `{"personaConfig":{"personaId":"p"}}`)
	foreign := mint(t, other, `{"personaConfig":{"personaId":"p"}}`)
	parts := strings.Split(token, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"type":"stateful","exp":99999999999}`)) + "." + parts[2]

	for _, tc := range []struct {
		name, method, path, token string
		status                    int
		message                   string
	}{
		{"token where tokens are listed", "POST", enginePath, token, 200, ""},
		{"API key where tokens are listed", "POST", enginePath, srv.APIKey(), 200, ""},
		{"token where only the API key is listed", "GET", sessionsPath, token, 401, "a session token is accepted only by operations whose security lists a session-token scheme"},
		{"token to mint a token", "POST", tokenPath, token, 401, "session-token scheme"},
		{"another server's token", "POST", enginePath, foreign, 401, "not minted by this server"},
		{"forged claims", "POST", enginePath, forged, 401, "not minted by this server"},
		{"not a JWT", "POST", enginePath, "wrong", 401, "invalid API key"},
	} {
		body := ""
		if tc.path == tokenPath {
			body = `{"personaConfig":{"personaId":"p"}}`
		}
		r := send(t, srv, tc.method, tc.path, tc.token, body)
		if r.status != tc.status || (tc.message != "" && !strings.Contains(string(r.body), tc.message)) {
			t.Errorf("%s: %d %s; want %d saying %q", tc.name, r.status, r.body, tc.status, tc.message)
		}
		if tc.status == 401 && (r.header.Get("WWW-Authenticate") != "Bearer" || strings.Contains(string(r.body), tc.token)) {
			t.Errorf("%s: WWW-Authenticate %q; the answer must not repeat the credential", tc.name, r.header.Get("WWW-Authenticate"))
		}
	}
	// Expiry follows the server's clock: valid for the hour, then 401.
	clock.Add(int64(59 * time.Minute))
	if r := send(t, srv, "POST", enginePath, token, ""); r.status != 200 {
		t.Errorf("after 59 minutes: %d %s", r.status, r.body)
	}
	clock.Add(int64(2 * time.Minute))
	if r := send(t, srv, "POST", enginePath, token, ""); r.status != 401 || !strings.Contains(string(r.body), "session token expired") {
		t.Errorf("after 61 minutes: %d %s, want 401 saying it expired", r.status, r.body)
	}
	if errs := rec.errors(); len(errs) != 0 {
		t.Errorf("a refused credential is not a spec violation, yet reported: %q", errs)
	}
}

// TestEngineSessions: the start operation starts a new session every
// time, pointing at the fake itself; the session is then an item of the
// sessions collection, with what the token bound it to, and it can be read,
// listed, stopped, and its transcript carries its ID.
func TestEngineSessions(t *testing.T) {
	srv := newSessionServer(t, anamtest.WithItems(3))
	persona := object(t, get(t, srv, personasPath).body)["data"].([]any)[0].(map[string]any)["id"].(string)
	token := mint(t, srv, `{"clientLabel":"kiosk","personaConfig":{"personaId":"`+persona+`"}}`)
	u, _ := url.Parse(srv.URL)

	var ids []string
	for range 2 {
		r := send(t, srv, "POST", enginePath, token, `{"clientMetadata":{"sdk":"js"}}`)
		a := object(t, r.body)
		id, _ := a["sessionId"].(string)
		if r.status != 200 || !isUUID(id) || a["engineHost"] != u.Host || a["engineProtocol"] != "http" {
			t.Fatalf("start: %d %s; want a new session on %s over http", r.status, r.body, u.Host)
		}
		if _, _, err := net.SplitHostPort(a["engineHost"].(string)); err != nil {
			t.Errorf("engineHost %v is no host:port: %v", a["engineHost"], err)
		}
		ids = append(ids, id)
	}
	if ids[0] == ids[1] {
		t.Fatalf("two starts gave the same session %s", ids[0])
	}
	r := get(t, srv, sessionsPath+"/"+ids[0])
	s := object(t, r.body)
	if r.status != 200 || s["id"] != ids[0] || s["personaId"] != persona || s["clientLabel"] != "kiosk" ||
		s["endTime"] != nil || s["engineProtocol"] != "http" || s["startTime"] == nil {
		t.Errorf("the started session: %d %s", r.status, r.body)
	}
	if m, _ := s["clientMetadata"].(map[string]any); m["sdk"] != "js" {
		t.Errorf("clientMetadata %v, want what the start sent", s["clientMetadata"])
	}
	list := get(t, srv, sessionsPath+"?perPage=100&personaId="+persona)
	for _, id := range ids {
		if !bytes.Contains(list.body, []byte(id)) {
			t.Errorf("session %s not listed for its persona: %s", id, list.body)
		}
	}

	if r := send(t, srv, "POST", sessionsPath+"/"+ids[0]+"/stop", srv.APIKey(), ""); r.status != 200 {
		t.Errorf("stop: %d %s", r.status, r.body)
	}
	stopped := object(t, get(t, srv, sessionsPath+"/"+ids[0]).body)
	if end, _ := stopped["endTime"].(string); end == "" || end < stopped["startTime"].(string) {
		t.Errorf("after stop: endTime %v, startTime %v", stopped["endTime"], stopped["startTime"])
	}
	if still := object(t, get(t, srv, sessionsPath+"/"+ids[1]).body); still["endTime"] != nil {
		t.Errorf("stopping one session ended the other: %v", still)
	}
	tr := object(t, get(t, srv, sessionsPath+"/"+ids[0]+"/transcript").body)
	if tr["sessionId"] != ids[0] || tr["startTime"] != stopped["startTime"] || tr["endTime"] != stopped["endTime"] {
		t.Errorf("transcript %v; want the session's ID and times", tr)
	}

	const unknown = "00000000-0000-4000-8000-00000000beef"
	for _, p := range []string{"", "/transcript"} {
		if r := get(t, srv, sessionsPath+"/"+unknown+p); r.status != 404 {
			t.Errorf("GET unknown session%s: %d", p, r.status)
		}
	}
	if r := send(t, srv, "POST", sessionsPath+"/"+unknown+"/stop", srv.APIKey(), ""); r.status != 404 {
		t.Errorf("stop an unknown session: %d", r.status)
	}
}

// TestWrittenIsReadBack: what a create or update sends is what a get
// returns, at the item's property of the same name, nested in its only
// object that declares it (systemPrompt in brain), or as the object an
// <x>Id names (avatarId: the stored avatar).
func TestWrittenIsReadBack(t *testing.T) {
	srv := newSessionServer(t, anamtest.WithItems(2))
	avatar := object(t, srv.Items(avatarsPath)[1])
	r := send(t, srv, "POST", personasPath, srv.APIKey(), `{"name":"Ada","systemPrompt":"You are terse.","avatarId":"`+avatar["id"].(string)+`","languageCode":"fr"}`)
	created := object(t, r.body)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := created["id"].(string)
	got := object(t, get(t, srv, personasPath+"/"+id).body)
	brain, _ := got["brain"].(map[string]any)
	if got["name"] != "Ada" || got["languageCode"] != "fr" || brain["systemPrompt"] != "You are terse." {
		t.Errorf("read back %v", got)
	}
	if a, _ := json.Marshal(got["avatar"]); !bytes.Equal(a, srv.Items(avatarsPath)[1]) {
		t.Errorf("avatar %s, want the stored avatar %s", a, srv.Items(avatarsPath)[1])
	}
	if !bytes.Equal(mustJSON(t, created), mustJSON(t, got)) {
		t.Errorf("create answered %v, get %v", created, got)
	}

	const elsewhere = "11111111-2222-4333-8444-555555555555"
	r = send(t, srv, "PUT", personasPath+"/"+id, srv.APIKey(), `{"systemPrompt":"You are chatty.","avatarId":"`+elsewhere+`"}`)
	if r.status != 200 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	got = object(t, get(t, srv, personasPath+"/"+id).body)
	brain, _ = got["brain"].(map[string]any)
	av, _ := got["avatar"].(map[string]any)
	if brain["systemPrompt"] != "You are chatty." || av["id"] != elsewhere || got["name"] != "Ada" || got["languageCode"] != "fr" {
		t.Errorf("after update: %v", got)
	}
	if brain["personality"] != created["brain"].(map[string]any)["personality"] {
		t.Errorf("the update changed what it did not send: personality %v", brain["personality"])
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
