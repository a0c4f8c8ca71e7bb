package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

// The examples run against anamtest, the SDK's fake Anam API; against the
// real API, leave out WithBaseURL and set ANAM_API_KEY.

func ExampleNewClient() {
	// With no options, NewClient reads ANAM_API_KEY (and ANAM_BASE_URL).
	// Options beat the environment.
	client, err := api.NewClient(
		api.WithAPIKey("sk-example"),
		api.WithBaseURL("https://api.anam.ai"),
		api.WithUserAgent("myapp/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	fmt.Printf("%v\n", client) // the key is never printed
	// Output:
	// https://api.anam.ai
	// api.Client{BaseURL: "https://api.anam.ai", APIKey: [redacted], UserAgent: "anam-go/0.1.0 myapp/1.0", Timeout: 30s, MaxRetries: 3}
}

func ExampleClient_GetAvatar() {
	srv := anamtest.NewServer()
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	avatar, err := client.GetAvatar(context.Background(), "071b0286-4cce-4808-bee2-e642f1062de3")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(avatar.GetDisplayName(), avatar.GetVariantName(), avatar.GetCreatedAt().Format("2006-01-02"))

	// Errors are typed: a malformed ID is refused before sending, an
	// unknown one is ErrNotFound.
	_, err = client.GetAvatar(context.Background(), "not-a-uuid")
	fmt.Println(errors.Is(err, api.ErrInvalidArgument))
	_, err = client.GetAvatar(context.Background(), "00000000-0000-4000-8000-000000000000")
	var apiErr *api.Error
	fmt.Println(errors.Is(err, api.ErrNotFound), errors.As(err, &apiErr) && apiErr.StatusCode == 404)
	// Output:
	// Liv home 2026-04-20
	// true
	// true true
}

func ExampleClient_ListAvatars() {
	srv := anamtest.NewServer(anamtest.WithItems(24))
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	page, err := client.ListAvatars(context.Background(), &api.ListAvatarsParams{Page: new(2), PerPage: new(10)})
	if err != nil {
		log.Fatal(err)
	}
	next, more := page.Next()
	fmt.Printf("page %d: %d of %d avatars; next page %d (%v)\n", page.Number(), len(page.Items), page.Total(), next, more)
	// Output:
	// page 2: 10 of 25 avatars; next page 3 (true)
}

func ExampleClient_Avatars() {
	srv := anamtest.NewServer(anamtest.WithItems(30))
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// Every avatar, across pages; breaking out of the loop stops the
	// requests.
	n := 0
	for avatar, err := range client.Avatars(context.Background(), &api.ListAvatarsParams{PerPage: new(100)}) {
		if err != nil {
			log.Fatal(err)
		}
		if n == 0 {
			fmt.Println("first:", avatar.GetDisplayName())
		}
		n++
	}
	fmt.Println("avatars:", n)
	// Output:
	// first: Liv
	// avatars: 31
}

// Per-call options change one call: here a shorter timeout, no retries,
// and the raw response kept for its status and headers.
func ExampleWithResponseInto() {
	srv := anamtest.NewServer()
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	var resp api.Response
	_, err = client.GetAvatar(context.Background(), "071b0286-4cce-4808-bee2-e642f1062de3",
		api.WithCallTimeout(5*time.Second), api.WithCallMaxRetries(0), api.WithResponseInto(&resp))
	fmt.Println(err, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Attempts)
	// Output:
	// <nil> 200 application/json; charset=utf-8 1
}

// Client.Do calls any operation with raw arguments through the same
// request path (argument checks, retries, typed errors) and returns the
// body as the server sent it: what generic tools build on.
func ExampleClient_Do() {
	srv := anamtest.NewServer()
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	op, ok := api.LookupOperation("getAvatar")
	if !ok {
		log.Fatal("no getAvatar")
	}
	fmt.Println(op.Method, op.Path, op.PathParams[0].Name, op.PathParams[0].Format)
	resp, err := client.Do(context.Background(), op, api.RawRequest{PathArgs: []string{"071b0286-4cce-4808-bee2-e642f1062de3"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, json.Valid(resp.Body))
	_, err = client.Do(context.Background(), op, api.RawRequest{PathArgs: []string{"../personas"}})
	fmt.Println(errors.Is(err, api.ErrInvalidArgument))
	// Output:
	// GET /v1/avatars/{id} id uuid
	// 200 true
	// true
}

func ExampleClient_DoItems() {
	srv := anamtest.NewServer(anamtest.WithItems(24))
	defer srv.Close()
	client, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// A generic tool walks any list by its operationId, with raw query
	// values, through the walker of the typed iterators.
	op, _ := api.LookupOperation("listAvatars")
	n := 0
	for item, err := range client.DoItems(context.Background(), op, api.RawRequest{Query: map[string][]string{"perPage": {"10"}}}) {
		if err != nil {
			log.Fatal(err)
		}
		var a struct{ DisplayName string }
		if err := json.Unmarshal(item, &a); err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n, "avatars")
	// Output:
	// 25 avatars
}
