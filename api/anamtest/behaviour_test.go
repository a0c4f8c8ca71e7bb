package anamtest

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEveryOperationNeedsTheKey: 401 with a JSON body and WWW-Authenticate
// for every operation without the key or with a wrong one.
func TestEveryOperationNeedsTheKey(t *testing.T) {
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		srv := NewServer(WithSpec(doc), WithItems(1), WithT(reporterFor(t, name)))
		for _, rt := range ix.routes {
			c := buildCall(t, srv, rt)
			for _, auth := range []string{"", "Bearer wrong", "Basic " + srv.APIKey()} {
				req, _ := http.NewRequest(c.method, srv.URL+c.path, bytes.NewReader(c.body))
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]any
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != 401 || err != nil || body["error"] == nil || resp.Header.Get("WWW-Authenticate") != "Bearer" {
					t.Errorf("%s %s %s with %q: %d %v %v", name, rt.id, c.path, auth, resp.StatusCode, body, err)
				}
				if msg, _ := json.Marshal(body); strings.Contains(string(msg), srv.APIKey()) {
					t.Errorf("%s: the answer repeats the key", rt.id)
				}
			}
		}
	}
}

// TestUnknownIDs: every operation on an item answers 404 with a JSON body
// for an ID that no item has, and so do nested collections for an unknown
// parent.
func TestUnknownIDs(t *testing.T) {
	const unknown = "00000000-0000-4000-8000-00000000beef"
	n := 0
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		srv := NewServer(WithSpec(doc), WithItems(1), WithT(reporterFor(t, name)))
		for _, rt := range ix.routes {
			var param string
			switch {
			case rt.kind >= kindGet:
				param = rt.idParam
			case rt.parent != nil:
				param = rt.parentParam
			default:
				continue
			}
			c := buildCall(t, srv, rt)
			var segs []string
			for i, seg := range rt.segments {
				if seg.param == param {
					segs = append(segs, unknown)
				} else {
					segs = append(segs, strings.Split(c.path, "/")[i+1])
				}
			}
			c.path = "/" + strings.Join(segs, "/")
			status, body := do(t, srv, c)
			var e map[string]any
			if status != http.StatusNotFound || json.Unmarshal(body, &e) != nil || e["error"] == nil {
				t.Errorf("%s %s %s: %d %s; want 404 with a JSON error", name, rt.id, c.path, status, body)
			}
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d operations on items", n)
	}
}

// TestFaultsOnEveryOperation: a fault scripted for any operationId fires
// on the next request to it, and only there.
func TestFaultsOnEveryOperation(t *testing.T) {
	for name, doc := range specs(t) {
		ix, _ := indexFor(doc)
		srv := NewServer(WithSpec(doc), WithItems(1), WithT(reporterFor(t, name)))
		for _, rt := range ix.routes {
			srv.InjectFaults(rt.id, Status(503).WithRetryAfter("2"))
			if srv.PendingFaults(rt.id) != 1 {
				t.Fatalf("%s: PendingFaults %d", rt.id, srv.PendingFaults(rt.id))
			}
			c := buildCall(t, srv, rt)
			if status, body := do(t, srv, c); status != 503 {
				t.Errorf("%s %s: status %d %s, want the injected 503", name, rt.id, status, body)
			}
			if srv.PendingFaults(rt.id) != 0 || srv.Requests(rt.id) != 1 {
				t.Errorf("%s: PendingFaults %d Requests %d", rt.id, srv.PendingFaults(rt.id), srv.Requests(rt.id))
			}
		}
		if srv.Requests(AllOperations) != len(ix.routes) {
			t.Errorf("%s: Requests(AllOperations) = %d, want %d", name, srv.Requests(AllOperations), len(ix.routes))
		}
	}
}

// TestNestedCollection: a part created under a widget, from a multipart
// form with a file, is reachable at its own item path, linked to the
// widget, listed under it only, and not stored with the file's bytes.
func TestNestedCollection(t *testing.T) {
	doc := loadTestdata(t, "widgets.yaml")
	srv := NewServer(WithSpec(doc), WithItems(2), WithT(t))
	var widgets []map[string]any
	for _, b := range srv.Items("/v2/widgets") {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		widgets = append(widgets, m)
	}
	w0, w1 := widgets[0]["id"].(string), widgets[1]["id"].(string)

	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("serial", "abc")
	fw, _ := mw.CreateFormFile("drawing", "gear.svg")
	secret := strings.Repeat("drawing-bytes ", 1000)
	_, _ = fw.Write([]byte(secret))
	_ = mw.Close()
	status, body := do(t, srv, call{method: "POST", path: "/v2/widgets/" + w0 + "/parts", contentType: mw.FormDataContentType(), body: buf.Bytes()})
	part := map[string]any{}
	_ = json.Unmarshal(body, &part)
	if status != 201 || part["widgetId"] != w0 || part["serial"] != "abc" || part["name"] != "gear.svg" {
		t.Fatalf("create part: %d %s", status, body)
	}
	id := part["id"].(string)
	if status, body := do(t, srv, call{method: "GET", path: "/v2/parts/" + id}); status != 200 || !bytes.Contains(body, []byte(id)) {
		t.Errorf("get part: %d %s", status, body)
	}
	for _, it := range srv.Items("/v2/parts") {
		if bytes.Contains(it, []byte("drawing-bytes")) {
			t.Errorf("the file's bytes are stored: %s", it)
		}
	}
	_, l0 := do(t, srv, call{method: "GET", path: "/v2/widgets/" + w0 + "/parts"})
	_, l1 := do(t, srv, call{method: "GET", path: "/v2/widgets/" + w1 + "/parts"})
	if !bytes.Contains(l0, []byte(id)) || bytes.Contains(l1, []byte(id)) {
		t.Errorf("lists: under its widget %s; under another %s", l0, l1)
	}
	var others []map[string]any
	_ = json.Unmarshal(l1, &others)
	for _, p := range others {
		if p["widgetId"] != w1 {
			t.Errorf("part %v listed under widget %s", p, w1)
		}
	}
	if status, body := do(t, srv, call{method: "DELETE", path: "/v2/parts/" + id}); status != 200 || !bytes.Contains(body, []byte("message")) {
		t.Errorf("delete part: %d %s", status, body)
	}
	if _, l0 := do(t, srv, call{method: "GET", path: "/v2/widgets/" + w0 + "/parts"}); bytes.Contains(l0, []byte(id)) {
		t.Errorf("deleted part still listed")
	}
	// An invalid form: 400, reported, and nothing stored.
	rec := &recorder{TB: t}
	srv.cfg.t = rec
	n := len(srv.Items("/v2/parts"))
	status, body = do(t, srv, call{method: "POST", path: "/v2/widgets/" + w0 + "/parts", contentType: "multipart/form-data; boundary=x", body: []byte("--x\r\nContent-Disposition: form-data; name=\"serial\"\r\n\r\nABC\r\n--x--\r\n")})
	if status != 400 || !strings.Contains(string(body), "serial") || len(srv.Items("/v2/parts")) != n {
		t.Errorf("invalid form: %d %s", status, body)
	}
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "addWidgetPart request does not match the spec") || !strings.Contains(errs[0], "serial") {
		t.Errorf("invalid form reported as %q", errs)
	}
}

// TestGeneratedItemsMatchTheirSchema validates every generated item of
// every collection, and its views, for two seeds.
func TestGeneratedItemsMatchTheirSchema(t *testing.T) {
	for name, doc := range specs(t) {
		for _, seed := range []uint64{0, 1} {
			srv := NewServer(WithSpec(doc), WithItems(12), WithSeed(seed), WithT(reporterFor(t, name)))
			checked := 0
			for _, res := range srv.ix.resources {
				srv.fill(res)
				for _, it := range srv.stores[res].items {
					var v any
					if err := json.Unmarshal(it.raw, &v); err != nil {
						t.Fatal(err)
					}
					if err := res.schema.Value.VisitJSON(v, srv.ix.vopts...); err != nil {
						t.Errorf("%s %s item %s: %s", name, res.key, it.raw, describe(err))
					}
					for _, view := range res.views {
						var w any
						_ = json.Unmarshal(it.views[view.Value], &w)
						if err := view.Value.VisitJSON(w, srv.ix.vopts...); err != nil {
							t.Errorf("%s %s view of %s: %s", name, res.key, it.id, describe(err))
						}
					}
					checked++
				}
			}
			if checked < 12*len(srv.ix.resources) {
				t.Errorf("%s: %d items checked", name, checked)
			}
			srv.Close()
		}
	}
}

func TestBodyLimit(t *testing.T) {
	rec := &recorder{TB: t}
	srv := NewServer(WithSpec(loadTestdata(t, "widgets.yaml")), WithT(rec))
	big := `{"label":"x","notes":"` + strings.Repeat("n", maxBody) + `"}`
	status, body := do(t, srv, call{method: "POST", path: "/v2/widgets", contentType: "application/json", body: []byte(big)})
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than") {
		t.Errorf("a body over the limit: %d %.200s", status, body)
	}
	if n := len(srv.Items("/v2/widgets")); n != 1 {
		t.Errorf("%d widgets stored", n)
	}
	// Beyond the fake's limit: reported as a request it cannot take.
	if errs := rec.take(); len(errs) != 1 || !strings.Contains(errs[0], "createWidget request does not match the spec: request body larger than 8388608 bytes") {
		t.Errorf("reports %q", errs)
	}
}
