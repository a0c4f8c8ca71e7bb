package anamtest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// sessionRules finds, by the rules of the package documentation
// ("Sessions"), the operations that mint session tokens, start sessions
// and end items, and those that take session tokens.
func (ix *specIndex) sessionRules() {
	for _, rt := range ix.routes {
		if rt.tokenAuth = takesSessionTokens(ix.doc, rt.kin.Operation); rt.tokenAuth {
			rt.memo = false // a token's verdict changes when it expires
		}
		if rt.kind == kindAction && rt.method != http.MethodGet && endVerbs[rt.segments[len(rt.segments)-1].literal] {
			rt.ends = true
		}
		if rt.kind != kindStatic || rt.method != http.MethodPost || rt.body == nil || !isObject(rt.body.Value) {
			continue
		}
		props := properties(rt.body.Value)
		names := slices.Sorted(maps.Keys(props))
		for _, k := range names {
			if isString(props[k]) && normalName(k) == "sessiontoken" {
				rt.mints = k
			}
		}
		if rt.mints != "" {
			continue
		}
		hasHost := slices.ContainsFunc(names, func(k string) bool { return strings.HasSuffix(k, "Host") && isString(props[k]) })
		if !hasHost {
			continue
		}
		for _, k := range names {
			x, ok := strings.CutSuffix(k, "Id")
			if !ok || x == "" || !isString(props[k]) {
				continue
			}
			for _, res := range ix.resources {
				if res.parent == nil && singular(res) == x {
					rt.starts, rt.startID = res, k
				}
			}
		}
	}
}

// endVerbs are the last path segments of actions that end their item.
var endVerbs = map[string]bool{"stop": true, "end": true, "cancel": true, "close": true, "terminate": true, "finish": true}

// normalName lowercases a property name and drops its separators:
// sessionToken, session_token and SessionToken are all "sessiontoken".
func normalName(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
}

// singular is the name of one item of res in camel case: the last segment
// of its collection path without its plural s (sessions -> session,
// share-links -> shareLink).
func singular(res *resource) string {
	seg := res.key[strings.LastIndexByte(res.key, '/')+1:]
	return camel(strings.TrimSuffix(seg, "s"))
}

// jsonFields decodes a JSON object request body; anything else gives no
// field.
func jsonFields(r *http.Request) map[string]any {
	if r.Body == nil {
		return map[string]any{}
	}
	b, err := io.ReadAll(r.Body)
	var m map[string]any
	if err != nil || json.Unmarshal(b, &m) != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// objectAnswer is the static answer of rt as an object, for the fake to
// fill in.
func (s *Server) objectAnswer(rt *route, seed string) map[string]any {
	resp := s.static(rt, seed, 0)
	var m map[string]any
	if resp.status != rt.status || json.Unmarshal(resp.body, &m) != nil || m == nil {
		m = map[string]any{}
	}
	return m
}

// personaID is the string personaId of a request, at its top level or in
// one of its objects (personaConfig.personaId).
func personaID(fields map[string]any) string {
	if id, ok := fields["personaId"].(string); ok {
		return id
	}
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if m, ok := fields[k].(map[string]any); ok {
			if id, ok := m["personaId"].(string); ok {
				return id
			}
		}
	}
	return ""
}

// mintToken answers an operation that mints session tokens: its static
// answer with a new token in the property named like sessionToken.
func (s *Server) mintToken(r *http.Request, rt *route) response {
	fields := jsonFields(r)
	ttl := sessionTTL
	if sec, ok := fields["expiresIn"].(float64); ok && sec > 0 && sec < 1e9 {
		ttl = time.Duration(sec * float64(time.Second))
	}
	c := newClaims(s.now(), ttl)
	c.AccountID = s.accountID
	c.SessionID = s.gen.uuid("session-token", strconv.FormatInt(s.minted.Add(1), 10))
	c.Type = "ephemeral"
	if id := personaID(fields); id != "" {
		c.Type, c.PersonaID = "stateful", id
	}
	c.ClientLabel, _ = fields["clientLabel"].(string)
	answer := s.objectAnswer(rt, "token")
	answer[rt.mints] = s.tokens.mint(c)
	b, err := json.Marshal(answer)
	if err != nil {
		return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: encode: "+err.Error())
	}
	return jsonResponse(rt.status, b)
}

// start answers an operation that starts a session: a new item of
// rt.starts, with a new ID, holding what the request (or the session token
// it was authenticated with) and the answer say, and the answer, which
// points at the fake itself.
func (s *Server) start(r *http.Request, rt *route) response {
	res := rt.starts
	props := properties(res.schema.Value)
	fields := jsonFields(r)
	written := maps.Clone(fields)
	// A field one level down names the item's property of that name,
	// unless the request has it at the top (personaConfig.personaId).
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if m, ok := fields[k].(map[string]any); ok {
			for k2, v := range m {
				if _, top := fields[k2]; !top && props[k2] != nil {
					written[k2] = v
				}
			}
		}
	}
	if token, err := bearer(r); err == nil && token != s.cfg.apiKey {
		if c, err := s.tokens.verify(token, s.now()); err == nil {
			if c.PersonaID != "" {
				written["personaId"] = c.PersonaID
			}
			if c.ClientLabel != "" {
				written["clientLabel"] = c.ClientLabel
			}
		}
	}
	for _, k := range []string{"organizationId", "accountId"} {
		if _, ok := written[k]; !ok && isString(props[k]) {
			written[k] = s.accountID
		}
	}

	s.fillFor(res)
	s.data.Lock()
	defer s.data.Unlock()
	st := s.stores[res]
	st.created++
	n := strconv.Itoa(st.created)
	id := s.gen.uuid(res.key, "started", n)

	answer := s.objectAnswer(rt, "start/"+n)
	answerProps := properties(rt.body.Value)
	host := r.Host
	if host == "" {
		host = s.ts.Listener.Addr().String()
	}
	for _, k := range slices.Sorted(maps.Keys(answerProps)) {
		switch {
		case k == rt.startID:
			answer[k] = id
		case !isString(answerProps[k]):
		case strings.HasSuffix(k, "Host"):
			answer[k] = host
		case strings.HasSuffix(k, "Protocol"):
			answer[k] = "http"
		case endpointLike(k):
			if v, ok := s.endpoint(res, id, host, k, answerProps[k].Value, answer[k]); ok {
				answer[k] = v
			}
		}
		if _, ok := written[k]; !ok && props[k] != nil && k != res.idField {
			if v, ok := answer[k]; ok {
				written[k] = v
			}
		}
	}

	// A started item holds what the start wrote and nothing made up: its
	// nullable properties are null (a session not ended has no endTime)
	// and its arrays empty (no tool calls yet).
	doc := s.gen.item(res.key+"/started", res.schema, st.created)
	for k, p := range props {
		switch {
		case k == res.idField || p.Value == nil:
		case s.ix.vals.check(p.Value, nil) == nil:
			doc[k] = nil
		case s.ix.vals.check(p.Value, []any{}) == nil:
			doc[k] = []any{}
		}
	}
	if res.idField != "" {
		doc[res.idField] = id
	}
	stamp := s.stamp()
	for k, p := range props {
		if isString(p) && p.Value.Format == "date-time" && (k == res.timestamps.created || genTimeFields.MatchString(k)) {
			doc[k] = stamp
		}
	}
	if f := res.timestamps.updated; f != "" && doc[f] != nil {
		doc[f] = stamp
	}
	s.merge(res, doc, written)
	it, err := s.ix.newItem(res, s.gen, doc, "started/"+n)
	if err != nil {
		return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: "+err.Error())
	}
	if resp, ok := s.room(rt, it.size(), 0); !ok {
		return resp
	}
	st.put(it)
	b, err := json.Marshal(answer)
	if err != nil {
		return s.errorResponse(rt, http.StatusInternalServerError, "anamtest: encode: "+err.Error())
	}
	return jsonResponse(rt.status, b)
}

// endpointLike reports whether a property names a path of an answer's
// host: its name ends in Endpoint (signallingEndpoint).
func endpointLike(k string) bool {
	return strings.HasSuffix(normalName(k), "endpoint")
}

// endpoint is the value of an endpoint-like property k of a start's
// answer: the answer's own value when it is already a path ("/ws", an
// example's), else a path on the fake below the started item, named after
// the property (/v1/sessions/{id}/signalling for signallingEndpoint), or
// the URL of that path when the schema wants one. A client that joins it to
// the answer's host and protocol, as Anam's clients do with
// signallingEndpoint, gets a URL of the fake. ok is false when the schema
// takes neither.
func (s *Server) endpoint(res *resource, id, host, k string, schema *openapi3.Schema, current any) (any, bool) {
	if cur, isStr := current.(string); isStr && strings.HasPrefix(cur, "/") && !strings.ContainsAny(cur, " \t") {
		return cur, true
	}
	name := normalName(k)
	if x := strings.TrimSuffix(name, "endpoint"); x != "" {
		name = x
	}
	path := res.key + "/" + url.PathEscape(id) + "/" + name
	for _, v := range []string{path, "http://" + host + path} {
		if s.ix.vals.check(schema, v) == nil {
			return v, true
		}
	}
	return nil, false
}

// end applies an ending action (rt.ends) to it: the item's null date-time
// properties named like an end (endTime, endedAt, stoppedAt...) take the
// current time, and its update time too. It returns the stored item.
func (s *Server) end(rt *route, st *store, it *item) *item {
	doc := maps.Clone(it.doc)
	stamp := s.stamp()
	for k, p := range properties(rt.res.schema.Value) {
		if isString(p) && p.Value.Format == "date-time" && doc[k] == nil && endLike(k) {
			doc[k] = stamp
		}
	}
	if f := rt.res.timestamps.updated; f != "" {
		doc[f] = stamp
	}
	ended, err := s.ix.newItem(rt.res, s.gen, doc, "id/"+it.id)
	if err != nil {
		s.report("anamtest: " + rt.id + ": " + err.Error())
		return nil
	}
	ended.id, ended.parent = it.id, it.parent
	st.put(ended)
	return ended
}

// isURL reports whether the property k of schema p holds a URL.
func isURL(k string, p *openapi3.Schema) bool {
	switch p.Format {
	case "uri", "url", "iri", "uri-reference":
		return true
	}
	return strings.HasSuffix(k, "Url") || strings.HasSuffix(k, "URL")
}

func endLike(k string) bool {
	k = strings.ToLower(k)
	for _, p := range []string{"end", "stopped", "finished", "closed", "terminated", "cancel"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// actionAnswer answers an action on it whose answer is not the item (a
// session's transcript, say): the static answer, with the item's ID in the
// property named <item>Id (sessionId), the item's own values in the
// properties it shares with the answer's schema, and, in a URL property
// (format uri or url, or a name ending in Url) that does not name the item,
// a URL that does (a recording's recordingUrl).
func (s *Server) actionAnswer(rt *route, it *item) response {
	resp := s.static(rt, it.id, 0)
	if rt.body == nil || !isObject(rt.body.Value) || resp.status != rt.status {
		return resp
	}
	var m map[string]any
	if json.Unmarshal(resp.body, &m) != nil || m == nil {
		return resp
	}
	idProp := singular(rt.res) + "Id"
	props := properties(rt.body.Value)
	for _, k := range slices.Sorted(maps.Keys(props)) {
		p := props[k]
		if p.Value == nil {
			continue
		}
		if k == idProp && isString(p) {
			m[k] = it.id
			continue
		}
		if v, ok := it.doc[k]; ok && k != rt.res.idField && s.ix.vals.check(p.Value, v) == nil {
			m[k] = v
			continue
		}
		if str, ok := m[k].(string); ok && isURL(k, p.Value) && !strings.Contains(str, it.id) {
			u := "https://anamtest.example" + rt.res.key + "/" + it.id + "/" + k
			if s.ix.vals.check(p.Value, u) == nil {
				m[k] = u
			}
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return resp
	}
	return jsonResponse(rt.status, b)
}
