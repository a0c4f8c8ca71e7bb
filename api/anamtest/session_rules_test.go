package anamtest

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSessionFlowByRule does what Anam's clients do, on every document
// that has the operations the rules find: mint a session token, start a
// session with it (with the API key where the document lists no
// session-token scheme, as the vendored one did before the overlay gave
// it one), read the session, find it listed, run its actions, and end it.
// A minted token is refused by every operation that does not list a
// session-token scheme.
func TestSessionFlowByRule(t *testing.T) {
	flows := 0
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		var mintRt, startRt *route
		for _, rt := range ix.routes {
			if rt.mints != "" {
				mintRt = rt
			}
			if rt.starts != nil {
				startRt = rt
			}
		}
		if mintRt == nil || startRt == nil {
			t.Logf("%s: no token or session operation found by the rules", name)
			continue
		}
		flows++
		t.Run(name, func(t *testing.T) {
			srv := NewServer(WithSpec(doc), WithItems(2), WithT(reporterFor(t, name)))
			defer srv.Close()
			status, body := do(t, srv, buildCall(t, srv, mintRt))
			token, _ := decode(t, body)[mintRt.mints].(string)
			if status != mintRt.status || strings.Count(token, ".") != 2 {
				t.Fatalf("%s: %d %s; want a JWT", mintRt.id, status, body)
			}
			start := buildCall(t, srv, startRt)
			if startRt.tokenAuth {
				start.auth = token
			}
			ids := map[string]bool{}
			for range 2 {
				status, body = do(t, srv, start)
				id, _ := decode(t, body)[startRt.startID].(string)
				if status != startRt.status || id == "" || ids[id] {
					t.Fatalf("%s: %d %s; want a new session", startRt.id, status, body)
				}
				if !bytes.Contains(body, []byte(strings.TrimPrefix(srv.URL, "http://"))) {
					t.Errorf("%s: %s does not point at the fake", startRt.id, body)
				}
				checkEndpoints(t, srv, startRt, id, decode(t, body))
				ids[id] = true
			}
			res := startRt.starts
			for _, rt := range ix.routes {
				if rt.res != res {
					continue
				}
				for id := range ids {
					c := buildCall(t, srv, rt)
					switch rt.kind {
					case kindList:
						if got := listIDs(t, srv, rt, c); !contains(got, id) {
							t.Errorf("%s does not list session %s", rt.id, id)
						}
					case kindGet, kindAction:
						c.path = strings.Replace(c.path, firstID(t, srv, res), id, 1)
						status, body := do(t, srv, c)
						if status != rt.status {
							t.Errorf("%s %s: %d %s", rt.id, c.path, status, body)
						}
						// Its own answer, and those of its actions (a
						// transcript, analytics, a recording), carry its ID.
						if rt.body != nil && isObject(rt.body.Value) && !bytes.Contains(body, []byte(id)) {
							t.Errorf("%s of %s: %s does not carry its ID", rt.id, id, body)
						}
					}
				}
				if rt.kind == kindGet {
					c := buildCall(t, srv, rt)
					c.auth = token
					if status, body := do(t, srv, c); !rt.tokenAuth && status != http.StatusUnauthorized {
						t.Errorf("%s with a session token: %d %s; want 401", rt.id, status, body)
					}
				}
			}
		})
	}
	if flows == 0 {
		t.Fatal("no document has a session flow")
	}
}

// TestTokensOnlyWhereListed: on every document, a minted session token
// is accepted exactly by the operations whose security lists a
// session-token scheme (none in a document without one), and the API key
// by the others.
func TestTokensOnlyWhereListed(t *testing.T) {
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		var mintRt *route
		for _, rt := range ix.routes {
			if rt.mints != "" {
				mintRt = rt
			}
		}
		if mintRt == nil {
			continue
		}
		srv := NewServer(WithSpec(doc), WithItems(1), WithT(reporterFor(t, name)), WithInvalidRequestsAllowed())
		_, body := do(t, srv, buildCall(t, srv, mintRt))
		token, _ := decode(t, body)[mintRt.mints].(string)
		for _, rt := range ix.routes {
			c := buildCall(t, srv, rt)
			c.auth = token
			status, body := do(t, srv, c)
			if rt.tokenAuth == (status == http.StatusUnauthorized) {
				t.Errorf("%s %s with a session token: %d %.200s (takes tokens: %v)", name, rt.id, status, body, rt.tokenAuth)
			}
		}
		srv.Close()
	}
}

// checkEndpoints checks the endpoint-like properties of a start's answer
// (signallingEndpoint): each is a path on the fake's host that a client can
// join to it, the document's own when its answer has one (an example's
// "/ws"), else one below the started item.
func checkEndpoints(t *testing.T, srv *Server, rt *route, id string, answer map[string]any) {
	t.Helper()
	documented := srv.objectAnswer(rt, "check")
	for k, p := range properties(rt.body.Value) {
		if !isString(p) || !endpointLike(k) {
			continue
		}
		v, _ := answer[k].(string)
		u, err := url.Parse("ws://" + strings.TrimPrefix(srv.URL, "http://") + v)
		if err != nil || !strings.HasPrefix(v, "/") || u.Path != v || u.RawQuery != "" {
			t.Errorf("%s: %s is %q, no path a client can join to the fake's host", rt.id, k, v)
			continue
		}
		if doc, _ := documented[k].(string); strings.HasPrefix(doc, "/") {
			if v != doc {
				t.Errorf("%s: %s is %q, not the document's %q", rt.id, k, v, doc)
			}
		} else if !strings.HasPrefix(v, rt.starts.key+"/"+id+"/") {
			t.Errorf("%s: %s is %q, not a path below the started item %s/%s", rt.id, k, v, rt.starts.key, id)
		}
	}
}
