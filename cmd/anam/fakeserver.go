//go:build !anam_nofake

package main

// Package anamtest (and kin-openapi with it) is linked here unless the
// build tag anam_nofake is given: see fakeserver_off.go.

import (
	"runtime/debug"

	"github.com/anam-ai/anam-go/api/anamtest"
)

// startFake starts the fake Anam API on addr, a loopback address ("" for a
// free loopback port).
func startFake(addr string, items int) (*fakeAPI, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	// Loading the fake's document makes some 9 MB of short-lived garbage
	// in a few tens of milliseconds; collecting it as it is made costs
	// about a fifth of the command's CPU time (`--fake avatars list`), and
	// nothing else runs meanwhile. The collector is back to what it was
	// (GOGC) once the fake has started.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	srv, err := anamtest.Start(addr, anamtest.WithItems(items))
	if err != nil {
		return nil, err
	}
	return &fakeAPI{url: srv.URL, key: srv.APIKey(), close: srv.Close}, nil
}
