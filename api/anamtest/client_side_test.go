package anamtest_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
)

// These tests check item 8 of issue 18 ("the fake never panics on a
// request the spec allows") from the client's side: through the SDK, as a
// user's test meets the fake. The fake's own tests (robust_test.go) check
// the same with raw HTTP.

func clientOf(t *testing.T, srv *anamtest.Server, opts ...api.Option) *api.Client {
	t.Helper()
	c, err := api.NewClient(append([]api.Option{api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientSideHugePage: every paginated list, walked by the SDK from
// page 9223372036854775807 (which the spec allows), is one empty page in
// one request: no panic, no dropped connection, nothing retried.
func TestClientSideHugePage(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(2))
	defer srv.Close()
	c := clientOf(t, srv)
	lists := 0
	for _, op := range api.Operations() {
		if !op.Paginated || len(op.PathParams) > 0 {
			continue
		}
		lists++
		var r api.Response
		pages := 0
		for p, err := range c.DoPages(context.Background(), op, api.RawRequest{Query: map[string][]string{"page": {strconv.FormatInt(math.MaxInt64, 10)}}}, api.WithResponseInto(&r)) {
			if err != nil {
				t.Fatalf("%s from page MaxInt64: %v", op.ID, err)
			}
			pages++
			if len(p.Items) != 0 || r.Attempts != 1 || r.StatusCode != 200 {
				t.Errorf("%s from page MaxInt64: %d items, status %d after %d attempts; want an empty page at once", op.ID, len(p.Items), r.StatusCode, r.Attempts)
			}
		}
		if pages != 1 {
			t.Errorf("%s from page MaxInt64: %d pages, want 1", op.ID, pages)
		}
	}
	if lists == 0 {
		t.Skip("the spec has no paginated list")
	}
}

// TestClientSidePanicIsA500: a panic of the fake reaches the SDK as a 500
// saying so (retried like any 500, on a GET), reported through WithT; the
// fake goes on serving.
func TestClientSidePanicIsA500(t *testing.T) {
	rec := &recorder{TB: t}
	var boom sync.Once
	panicked := false
	srv := anamtest.NewServer(anamtest.WithT(rec), anamtest.WithResponseEditor(func(op string, status int, body []byte) []byte {
		boom.Do(func() { panicked = true; panic("boom") })
		return body
	}))
	defer srv.Close()
	c := clientOf(t, srv, api.WithMaxRetries(0))
	var op *api.Operation
	for _, o := range api.Operations() {
		if o.Paginated && len(o.PathParams) == 0 {
			op = o
			break
		}
	}
	if op == nil {
		t.Skip("the spec has no paginated list")
	}
	_, err := c.Do(context.Background(), op, api.RawRequest{})
	var ae *api.Error
	if !panicked || !errors.As(err, &ae) || ae.StatusCode != 500 || !strings.Contains(err.Error(), "the fake panicked") {
		t.Fatalf("err = %v, want the fake's 500 saying it panicked", err)
	}
	if msgs := rec.errors(); len(msgs) != 1 || !strings.Contains(msgs[0], "panicked") {
		t.Errorf("reports %q, want the panic", msgs)
	}
	if _, err := c.Do(context.Background(), op, api.RawRequest{}); err != nil {
		t.Errorf("after the panic: %v", err)
	}
}

// TestClientSideStorageLimit: creates beyond WithStorageLimit get a 507
// that says what to do, reported through WithT, and never retried (a
// POST); the fake's memory stays bounded.
func TestClientSideStorageLimit(t *testing.T) {
	rec := &recorder{TB: t}
	srv := anamtest.NewServer(anamtest.WithT(rec), anamtest.WithStorageLimit(64<<10))
	defer srv.Close()
	c := clientOf(t, srv)
	var op *api.Operation
	var smp anamtest.Sample
	for _, o := range api.Operations() {
		if o.Method != "POST" || o.Body&api.BodyJSON == 0 || len(o.PathParams) > 0 || o.Statuses[201] == "" {
			continue
		}
		if s, err := srv.Sample(o.ID, false); err == nil {
			op, smp = o, s
			break
		}
	}
	if op == nil {
		t.Skip("the spec has no create operation with a JSON body")
	}
	big := bytes.Repeat([]byte("x"), 8<<10)
	body := append(bytes.TrimSuffix(bytes.TrimSpace(smp.Body), []byte("}")), []byte(`,"padding":"`+string(big)+`"}`)...)
	if bytes.Equal(bytes.TrimSpace(smp.Body), []byte("{}")) {
		body = []byte(`{"padding":"` + string(big) + `"}`)
	}
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		_, err = c.Do(context.Background(), op, api.RawRequest{PathArgs: smp.PathArgs, Query: smp.Query, Body: bytes.NewReader(body), ContentType: "application/json"})
	}
	var ae *api.Error
	if !errors.As(err, &ae) || ae.StatusCode != 507 || ae.Attempts != 1 || !strings.Contains(err.Error(), "WithStorageLimit") {
		t.Fatalf("after filling the store: %v; want a 507 naming WithStorageLimit, not retried", err)
	}
	if msgs := rec.errors(); len(msgs) == 0 {
		t.Error("the full store was not reported through WithT")
	}
}

// TestClientSideHalfSentRequests: 300 connections that sent half a
// request do not keep the SDK's calls from being served.
func TestClientSideHalfSentRequests(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 300 {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, conn)
		_, _ = conn.Write([]byte("GET /v1/x HTTP/1.1\r\nHost: x\r\nX-Half: "))
	}
	c := clientOf(t, srv, api.WithTimeout(5*time.Second), api.WithMaxRetries(0))
	for _, op := range api.Operations() {
		if op.Paginated && len(op.PathParams) == 0 {
			if _, err := c.Do(context.Background(), op, api.RawRequest{}); err != nil {
				t.Fatalf("with 300 half-sent requests open: %v", err)
			}
			return
		}
	}
	t.Skip("the spec has no paginated list")
}
