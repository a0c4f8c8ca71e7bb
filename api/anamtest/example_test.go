package anamtest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"

	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specload"
)

// exampleDo sends an authenticated request to the server and returns the
// status and body.
func exampleDo(srv *anamtest.Server, method, path, body string) (int, []byte) {
	return exampleDoAs(srv, srv.APIKey(), method, path, body)
}

// exampleDoAs is exampleDo with another bearer token.
func exampleDoAs(srv *anamtest.Server, token, method, path, body string) (int, []byte) {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return resp.StatusCode, b
}

// NewServer serves the embedded Anam spec; point the SDK (or any client)
// at it. In a test, pass WithT(t): every request or response that does not
// match the spec then fails the test.
func ExampleNewServer() {
	srv := anamtest.NewServer()
	defer srv.Close()

	// client, err := api.NewClient(api.WithBaseURL(srv.URL), api.WithAPIKey(srv.APIKey()))
	status, body := exampleDo(srv, http.MethodGet, "/v1/avatars", "")
	fmt.Println(status, len(body) > 0)
}

// widgetSpec() is the document of testdata/widgets.yaml, a small spec with
// a paginated /v2/widgets collection, that the examples below serve so
// that their output does not depend on Anam's data.
func ExampleWithItems() {
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithItems(24))
	defer srv.Close()

	_, body := exampleDo(srv, http.MethodGet, "/v2/widgets?page=3&perPage=10", "")
	var page struct {
		Data []struct {
			Label string `json:"label"`
		} `json:"data"`
		Meta json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Data), page.Data[0].Label)
	fmt.Println(string(page.Meta))
	// Output:
	// 5 Olivia 2
	// {"currentPage":3,"lastPage":3,"next":null,"perPage":10,"prev":2,"total":25}
}

// A spec the SDK has never seen is served with no change to the fake:
// here a new widgets resource, created, updated, then deleted.
func ExampleWithSpec() {
	doc, err := specload.LoadBytes([]byte(`
openapi: 3.1.0
info: {title: Widgets, version: 1.0.0}
paths:
  /v1/widgets:
    post:
      operationId: createWidget
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {label: {type: string}}}
      responses:
        "201":
          description: Created.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Widget"}
  /v1/widgets/{id}:
    parameters: [{in: path, name: id, required: true, schema: {type: string, format: uuid}}]
    get:
      operationId: getWidget
      responses:
        "200":
          description: The widget.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Widget"}
        "404": {description: Not found.}
    put:
      operationId: updateWidget
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {label: {type: string}}}
      responses:
        "200":
          description: The widget.
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Widget"}
    delete:
      operationId: deleteWidget
      responses:
        "204": {description: Deleted.}
        "404": {description: Not found.}
components:
  schemas:
    Widget:
      type: object
      required: [id, label]
      properties:
        id: {type: string, format: uuid}
        label: {type: string}
`), nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := anamtest.NewServer(anamtest.WithSpec(doc))
	defer srv.Close()

	status, body := exampleDo(srv, http.MethodPost, "/v1/widgets", `{"label":"sprocket"}`)
	var w struct{ ID, Label string }
	_ = json.Unmarshal(body, &w)
	fmt.Println(status, w.Label)
	_, body = exampleDo(srv, http.MethodPut, "/v1/widgets/"+w.ID, `{"label":"cog"}`)
	_ = json.Unmarshal(body, &w)
	fmt.Println(w.Label)
	status, body = exampleDo(srv, http.MethodDelete, "/v1/widgets/"+w.ID, "")
	fmt.Println(status, len(body))
	status, _ = exampleDo(srv, http.MethodGet, "/v1/widgets/"+w.ID, "")
	fmt.Println(status)
	// Output:
	// 201 sprocket
	// cog
	// 204 0
	// 404
}

func ExampleWithData() {
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()), anamtest.WithData("/v2/widgets",
		json.RawMessage(`{"id":"5b1a7f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b","label":"Mine","colour":"blue","createdAt":"2026-01-02T03:04:05.000Z"}`)))
	defer srv.Close()

	_, body := exampleDo(srv, http.MethodGet, "/v2/widgets", "")
	fmt.Println(bytes.Contains(body, []byte(`"label":"Mine"`)), len(srv.Items("/v2/widgets")))
	// Output:
	// true 1
}

func ExampleServer_InjectFaults() {
	srv := anamtest.NewServer(anamtest.WithSpec(widgetSpec()))
	defer srv.Close()

	// Any operationId of the spec, or anamtest.AllOperations.
	srv.InjectFaults("listWidgets", anamtest.Status(503).WithRetryAfter("1"))
	status, _ := exampleDo(srv, http.MethodGet, "/v2/widgets", "")
	fmt.Println(status)
	status, _ = exampleDo(srv, http.MethodGet, "/v2/widgets", "")
	fmt.Println(status, srv.Requests("listWidgets"))
	// Output:
	// 503
	// 200 2
}

// The session flow of Anam's clients: a backend mints a session token for
// a persona, and the browser starts an engine session with it. The fake
// finds the operations by rule (see the package documentation, "Session
// tokens and sessions"); sessionSpec() is testdata/sessions.yaml, whose
// token operation is POST /v9/tokens and whose start operation, POST
// /v9/engine, lists a session-token security scheme.
func Example_sessions() {
	srv := anamtest.NewServer(anamtest.WithSpec(sessionSpec()))
	defer srv.Close()

	_, body := exampleDo(srv, http.MethodPost, "/v9/tokens", `{"personaConfig":{"personaId":"8d3c1f0a-6b7e-4c2d-9e8f-1a2b3c4d5e6f"}}`)
	var minted struct{ SessionToken string }
	_ = json.Unmarshal(body, &minted)
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(minted.SessionToken, ".")[1])
	var claims struct{ Type, AccountID string }
	_ = json.Unmarshal(payload, &claims)
	fmt.Println(claims.Type, claims.AccountID != "")

	status, body := exampleDoAs(srv, minted.SessionToken, http.MethodPost, "/v9/engine", "")
	var started struct{ SessionID, EngineHost, EngineProtocol string }
	_ = json.Unmarshal(body, &started)
	fmt.Println(status, started.EngineProtocol+"://"+started.EngineHost == srv.URL)

	status, body = exampleDo(srv, http.MethodGet, "/v9/sessions/"+started.SessionID, "")
	fmt.Println(status, bytes.Contains(body, []byte(`"personaId":"8d3c1f0a-6b7e-4c2d-9e8f-1a2b3c4d5e6f"`)))

	status, _ = exampleDoAs(srv, minted.SessionToken, http.MethodGet, "/v9/sessions/"+started.SessionID, "")
	fmt.Println(status)
	// Output:
	// stateful true
	// 200 true
	// 200 true
	// 401
}

// Start runs the fake on a fixed loopback address for other programs.
func ExampleStart() {
	srv, err := anamtest.Start("127.0.0.1:0", anamtest.WithSpec(widgetSpec()))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	fmt.Println(strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.APIKey())
	_, err = anamtest.Start("0.0.0.0:8080")
	fmt.Println(err)
	// Output:
	// true anamtest-api-key
	// anamtest: address "0.0.0.0:8080" is not a loopback address: the fake listens only on 127.0.0.1, ::1 or localhost
}
