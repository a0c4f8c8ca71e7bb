//go:build surface_july

// The session flow through the typed methods (issue 17), as Anam's
// published clients run it. It names July's operations (CreateSessionToken,
// CreateEngineSession, GetSession, StopSession) and union branches
// (PersonaConfigStateful), so it builds only where internal/surface's July
// tests do (build tag surface_july: internal/regen's TestRegenerate/july).
// Whatever spec is vendored, cmd/anam's TestSessionFlowCLI runs the same
// flow by operationId, and skips when the spec has no such operations.

package surface

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/url"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

// TestSessionFlow is what Anam's published clients do (e2e/clients
// README: @anam-ai/js-sdk 4.27.0's createClient(token).stream(), and
// @livekit/agents-plugin-anam 1.5.0's AvatarSession.start), through the
// typed methods against anamtest (issue 17 item 9): a backend mints a
// session token by persona ID with its API key; the client starts an
// engine session WITH THAT TOKEN (api.WithSessionToken); the backend finds
// the session, and stops it.
func TestSessionFlow(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(2))
	defer srv.Close()
	c, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	personas, err := c.ListPersonas(ctx, nil)
	if err != nil || len(personas.Items) == 0 {
		t.Fatalf("ListPersonas: %v, %v", personas, err)
	}
	personaID := personas.Items[0].GetID()

	// The backend: a token by persona ID, in one line of package api.
	token, err := c.CreateSessionToken(ctx, api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: personaID})})
	if err != nil {
		t.Fatalf("CreateSessionToken: %v", err)
	}
	jwt := token.GetSessionToken()
	claims := jwtClaims(t, jwt)
	if claims["type"] != "stateful" || claims["accountId"] == "" {
		t.Errorf("the token's claims %v; the js-sdk reads type (stateful) and accountId", claims)
	}

	// The client: an engine session with the token, as the js-sdk sends it.
	var raw api.Response
	started, err := c.CreateEngineSession(ctx, &api.CreateEngineSessionRequest{}, api.WithSessionToken(jwt), api.WithResponseInto(&raw))
	if err != nil {
		t.Fatalf("CreateEngineSession with the session token: %v", err)
	}
	sessionID := started.GetSessionID()
	u, _ := url.Parse(srv.URL)
	if sessionID == "" || started.GetEngineHost() != u.Host || started.GetEngineProtocol() != "http" || raw.StatusCode != 200 {
		t.Fatalf("the engine session: %v (status %d); want a session on the fake itself", started, raw.StatusCode)
	}

	// The backend again, with its API key: the session is there, and stops.
	s, err := c.GetSession(ctx, sessionID)
	if err != nil || s.GetID() != sessionID || s.GetPersonaID() != personaID || s.EndTime.IsSpecified() && !s.EndTime.IsNull() {
		t.Fatalf("GetSession(%s) = %v, %v; want the running session of persona %s", sessionID, s, err, personaID)
	}
	if err := c.StopSession(ctx, sessionID); err != nil {
		t.Fatalf("StopSession: %v", err)
	}
	s, err = c.GetSession(ctx, sessionID)
	if end, _ := s.EndTime.Get(); err != nil || end.IsZero() {
		t.Errorf("after StopSession: %v, %v; want an endTime", s, err)
	}

	// What the SDK refuses, before anything is sent: the token where the
	// spec lists only the API key (minting a token, reading a session).
	if _, err := c.GetSession(ctx, sessionID, api.WithSessionToken(jwt)); !errors.Is(err, api.ErrInvalidArgument) {
		t.Errorf("GetSession with the session token: %v, want an ArgumentError", err)
	}
	if _, err := c.CreateSessionToken(ctx, api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: personaID})}, api.WithSessionToken(jwt)); !errors.Is(err, api.ErrInvalidArgument) {
		t.Errorf("CreateSessionToken with a session token: %v, want an ArgumentError", err)
	}
	// A token this server never minted is the server's 401.
	parts := strings.Split(jwt, ".")
	forged := parts[0] + "." + parts[1] + ".Zm9yZ2Vk"
	if _, err := c.CreateEngineSession(ctx, &api.CreateEngineSessionRequest{}, api.WithSessionToken(forged)); !errors.Is(err, api.ErrUnauthorized) || strings.Contains(err.Error(), parts[1]) {
		t.Errorf("a forged token: %v, want a 401 that does not show it", err)
	}
}

// jwtClaims decodes the payload of a JWT, without checking it, as the
// js-sdk does.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("the session token %q is not a JWT", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("the token's payload: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatalf("the token's claims: %v", err)
	}
	return claims
}

func Example_sessionFlow() {
	srv := anamtest.NewServer(anamtest.WithItems(1))
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	personas, err := client.ListPersonas(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}

	// A backend mints a session token for one of its personas...
	token, err := client.CreateSessionToken(ctx, api.CreateSessionTokenRequest{PersonaConfig: api.NewPersonaConfigStateful(api.PersonaConfigStateful{PersonaID: personas.Items[0].GetID()})})
	if err != nil {
		log.Fatal(err)
	}
	// ...and a client starts an engine session with it, as Anam's browser
	// SDK does.
	session, err := client.CreateEngineSession(ctx, &api.CreateEngineSessionRequest{}, api.WithSessionToken(token.GetSessionToken()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.GetSessionID() != "", session.GetEngineProtocol())

	// Only an operation whose spec accepts session tokens takes one: the
	// others are refused before anything is sent.
	_, err = client.GetSession(ctx, session.GetSessionID(), api.WithSessionToken(token.GetSessionToken()))
	fmt.Println(errors.Is(err, api.ErrInvalidArgument))
	// Output:
	// true http
	// true
}
