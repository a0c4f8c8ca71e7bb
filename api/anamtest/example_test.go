package anamtest_test

import (
	"bytes"
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
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
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

func ExampleNewServer() {
	srv := anamtest.NewServer()
	defer srv.Close()

	status, body := exampleDo(srv, http.MethodGet, "/v1/avatars/071b0286-4cce-4808-bee2-e642f1062de3", "")
	var avatar struct {
		DisplayName string `json:"displayName"`
		CreatedAt   string `json:"createdAt"`
	}
	if err := json.Unmarshal(body, &avatar); err != nil {
		log.Fatal(err)
	}
	fmt.Println(status, avatar.DisplayName, avatar.CreatedAt)
	// Output:
	// 200 Liv 2026-04-20T10:00:00.000Z
}

func ExampleWithItems() {
	srv := anamtest.NewServer(anamtest.WithItems(24))
	defer srv.Close()

	_, body := exampleDo(srv, http.MethodGet, "/v1/avatars?page=3&perPage=10", "")
	var page struct {
		Data []struct {
			DisplayName string `json:"displayName"`
		} `json:"data"`
		Meta json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Data), page.Data[0].DisplayName)
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
	srv := anamtest.NewServer(anamtest.WithData("/v1/avatars",
		json.RawMessage(`{"id":"5b1a7f0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b","displayName":"Mine","createdByOrganizationId":null}`)))
	defer srv.Close()

	_, body := exampleDo(srv, http.MethodGet, "/v1/avatars", "")
	fmt.Println(bytes.Contains(body, []byte(`"displayName":"Mine"`)), len(srv.Items("/v1/avatars")))
	// Output:
	// true 1
}

func ExampleServer_InjectFaults() {
	srv := anamtest.NewServer()
	defer srv.Close()

	// Any operationId of the spec, or anamtest.AllOperations.
	srv.InjectFaults("listAvatars", anamtest.Status(503).WithRetryAfter("1"))
	status, _ := exampleDo(srv, http.MethodGet, "/v1/avatars", "")
	fmt.Println(status)
	status, _ = exampleDo(srv, http.MethodGet, "/v1/avatars", "")
	fmt.Println(status, srv.Requests("listAvatars"))
	// Output:
	// 503
	// 200 2
}

// Start runs the fake on a fixed loopback address for other programs.
func ExampleStart() {
	srv, err := anamtest.Start("127.0.0.1:0", anamtest.WithItems(5))
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
