//go:build anam_nofake

package main

// Built with -tags anam_nofake, anam has no built-in fake API: package
// anamtest, kin-openapi and its JSON Schema compiler are not linked, and
// their package initialisation (about 7 ms of start-up on every command)
// is not run. --fake and `anam fake serve` then say so.

import "errors"

func startFake(addr string, items int) (*fakeAPI, error) {
	return nil, errors.New("this anam was built without the built-in fake API (-tags anam_nofake): " +
		"build it without that tag, or run 'go run github.com/anam-ai/anam-go/cmd/anam fake serve' elsewhere and point ANAM_BASE_URL at it")
}
