package anamtest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// credential is what a security scheme of the document accepts; see the
// package documentation, "Authentication".
type credential int

const (
	credUnsupported  credential = iota
	credAPIKey                  // the server's API key
	credSessionToken            // a session token the server minted
)

// credentialOf classifies a security scheme: an HTTP bearer scheme whose
// bearerFormat is JWT takes session tokens; any other HTTP bearer scheme,
// and an apiKey scheme, take the API key.
func credentialOf(s *openapi3.SecurityScheme) credential {
	switch {
	case s == nil:
		return credUnsupported
	case s.Type == "http" && strings.EqualFold(s.Scheme, "bearer"):
		if strings.EqualFold(s.BearerFormat, "JWT") {
			return credSessionToken
		}
		return credAPIKey
	case s.Type == "apiKey" && s.Name != "":
		return credAPIKey
	}
	return credUnsupported
}

// requirements returns the security requirements that apply to op: its
// own, else the document's.
func requirements(doc *openapi3.T, op *openapi3.Operation) openapi3.SecurityRequirements {
	if op.Security != nil {
		return *op.Security
	}
	return doc.Security
}

// takesSessionTokens reports whether op lists a session-token scheme.
func takesSessionTokens(doc *openapi3.T, op *openapi3.Operation) bool {
	if doc.Components == nil {
		return false
	}
	for _, req := range requirements(doc, op) {
		for name := range req {
			if ref := doc.Components.SecuritySchemes[name]; ref != nil && credentialOf(ref.Value) == credSessionToken {
				return true
			}
		}
	}
	return false
}

// authenticate is the openapi3filter.AuthenticationFunc of s: it accepts
// the API key where the scheme takes it and a live session token s minted
// where the scheme takes those. Its errors never repeat what was sent.
func (s *Server) authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme := in.SecurityScheme
	r := in.RequestValidationInput.Request
	switch credentialOf(scheme) {
	case credAPIKey:
		var given string
		if scheme.Type == "apiKey" {
			given = apiKeyValue(r, scheme)
			if given == "" {
				return fmt.Errorf("missing API key (%s %q)", scheme.In, scheme.Name)
			}
		} else {
			token, err := bearer(r)
			if err != nil {
				return err
			}
			given = token
		}
		if hmac.Equal([]byte(given), []byte(s.cfg.apiKey)) {
			return nil
		}
		if _, err := s.tokens.verify(given, s.now()); err == nil {
			return errors.New("a session token is accepted only by operations whose security lists a session-token scheme; use the API key here")
		}
		return errors.New("invalid API key")
	case credSessionToken:
		token, err := bearer(r)
		if err != nil {
			return err
		}
		if hmac.Equal([]byte(token), []byte(s.cfg.apiKey)) {
			return errors.New("the API key is not a session token")
		}
		_, err = s.tokens.verify(token, s.now())
		return err
	}
	return fmt.Errorf("security scheme %q (%s %s) is not supported by anamtest", in.SecuritySchemeName, scheme.Type, scheme.Scheme)
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", errors.New("missing Authorization header")
	}
	kind, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(kind, "Bearer") {
		return "", errors.New("authorization header is not a Bearer token")
	}
	return strings.TrimSpace(token), nil
}

func apiKeyValue(r *http.Request, scheme *openapi3.SecurityScheme) string {
	switch scheme.In {
	case "header":
		return r.Header.Get(scheme.Name)
	case "query":
		return r.URL.Query().Get(scheme.Name)
	case "cookie":
		if c, err := r.Cookie(scheme.Name); err == nil {
			return c.Value
		}
	}
	return ""
}

// authProblem renders the authentication failures of err, each once.
func authProblem(err *openapi3filter.SecurityRequirementsError) string {
	var msgs []string
	for _, e := range err.Errors {
		var sre *openapi3filter.SecurityRequirementsError
		m := e.Error()
		if errors.As(e, &sre) {
			m = authProblem(sre)
		}
		if !containsString(msgs, m) {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return err.Error()
	}
	return strings.Join(msgs, "; or ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// sessionTTL is how long a minted session token is valid, as the spec says
// of createSessionToken's answer.
const sessionTTL = time.Hour

// tokenClaims are the claims of a session token the fake mints: those
// Anam's clients read (@anam-ai/js-sdk 4.27.0 reads type, which it
// lowercases and compares with "ephemeral", "stateful" and "legacy", and
// accountId), the session's ID and the standard iat and exp (seconds since
// the epoch), and what the token binds a session to.
type tokenClaims struct {
	Type        string `json:"type"`
	AccountID   string `json:"accountId"`
	SessionID   string `json:"sessionId"`
	PersonaID   string `json:"personaId,omitempty"`
	ClientLabel string `json:"clientLabel,omitempty"`
	IssuedAt    int64  `json:"iat"`
	Expires     int64  `json:"exp"`
}

// tokenMinter mints and verifies the session tokens of one server: JWTs
// (RFC 7519) signed with HS256 by a secret of its own, so that a token of
// another server, or a forged one, is refused.
type tokenMinter struct {
	secret []byte
}

func newTokenMinter() tokenMinter {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return tokenMinter{secret: secret}
}

var (
	b64       = base64.RawURLEncoding
	jwtHeader = b64.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
)

func (m tokenMinter) mint(c tokenClaims) string {
	payload, _ := json.Marshal(c)
	signed := jwtHeader + "." + b64.EncodeToString(payload)
	return signed + "." + b64.EncodeToString(m.sign(signed))
}

func (m tokenMinter) sign(s string) []byte {
	h := hmac.New(sha256.New, m.secret)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// verify returns the claims of token if this minter signed it and it has
// not expired at now.
func (m tokenMinter) verify(token string, now time.Time) (tokenClaims, error) {
	var c tokenClaims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, errors.New("invalid session token: not a JWT")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || parts[0] != jwtHeader || !hmac.Equal(sig, m.sign(parts[0]+"."+parts[1])) {
		return c, errors.New("invalid session token: not minted by this server")
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, errors.New("invalid session token: bad payload")
	}
	if now.Unix() >= c.Expires {
		return c, errors.New("session token expired: mint a new one")
	}
	return c, nil
}

// newClaims are the claims of a token minted at now for ttl.
func newClaims(now time.Time, ttl time.Duration) tokenClaims {
	return tokenClaims{IssuedAt: now.Unix(), Expires: now.Add(ttl).Unix()}
}
