package anamtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/anam-ai/anam-go/api/anamtest"
)

// exampleGet sends an authenticated GET to the server and returns the
// status and body.
func exampleGet(srv *anamtest.Server, path string) (int, []byte) {
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return resp.StatusCode, body
}

func ExampleNewServer() {
	srv := anamtest.NewServer()
	defer srv.Close()

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/avatars/071b0286-4cce-4808-bee2-e642f1062de3", nil)
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()

	var avatar struct {
		DisplayName string `json:"displayName"`
		VariantName string `json:"variantName"`
		CreatedAt   string `json:"createdAt"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&avatar); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Status)
	fmt.Println(avatar.DisplayName, avatar.VariantName, avatar.CreatedAt)
	// Output:
	// 200 OK
	// Liv home 2026-04-20T10:00:00.000Z
}

func ExampleWithAvatars() {
	// The spec's example avatar (Liv), then 24 generated ones.
	srv := anamtest.NewServer(anamtest.WithAvatars(24))
	defer srv.Close()

	_, body := exampleGet(srv, "/v1/avatars?perPage=10&page=3")
	var page struct {
		Data []struct {
			DisplayName string `json:"displayName"`
		} `json:"data"`
		Meta json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		log.Fatal(err)
	}
	var names []string
	for _, a := range page.Data {
		names = append(names, a.DisplayName)
	}
	fmt.Println(strings.Join(names, ", "))
	fmt.Printf("%s\n", page.Meta)
	// Output:
	// Olivia 2, Finn 2, Nora 2, Eli 2, Sofia 2
	// {"currentPage":3,"lastPage":3,"next":null,"perPage":10,"prev":2,"total":25}
}

func ExampleServer_InjectFaults() {
	srv := anamtest.NewServer()
	defer srv.Close()

	srv.InjectFaults(anamtest.OpListAvatars,
		anamtest.Status(http.StatusServiceUnavailable).WithRetryAfter("1"),
		anamtest.Status(http.StatusServiceUnavailable).After(10*time.Millisecond),
	)
	for range 3 {
		status, body := exampleGet(srv, "/v1/avatars")
		fmt.Println(status, string(body[:min(len(body), 60)]))
	}
	fmt.Println("requests:", srv.Requests(anamtest.OpListAvatars), "pending faults:", srv.PendingFaults(anamtest.OpListAvatars))
	// Output:
	// 503 {"error":"Service Unavailable","message":"anamtest: injected
	// 503 {"error":"Service Unavailable","message":"anamtest: injected
	// 200 {"data":[{"activeVersion":"v2","availableVersions":["v1","v2
	// requests: 3 pending faults: 0
}
