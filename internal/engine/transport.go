package engine

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Doer sends HTTP requests: *http.Client is one. See api.WithDoer.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// sender wraps the configured doer to tag its failures, so that exchange
// can tell them from failures to build a request (which are not retried).
type sender struct {
	next Doer
}

// sendError is a failure of the doer itself: no response came back.
type sendError struct{ err error }

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

func (s *sender) Do(req *http.Request) (*http.Response, error) {
	resp, err := s.next.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		// The URL a transport error names loses its query, which may hold
		// a search term, and any userinfo: the error goes into logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = stripURL(ue.URL)
		}
		return nil, &sendError{err}
	}
	if resp == nil {
		return nil, &sendError{errors.New("the Doer returned neither a response nor an error")}
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	return resp, nil
}

// newHTTPClient is the SDK's own *http.Client: a private connection pool,
// and the SDK's redirect policy.
func newHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t, CheckRedirect: sameOriginRedirects(nil)}
}

// GuardRedirects returns a shallow copy of hc (sharing its Transport, so its
// connection pool) whose redirect policy refuses to leave the origin of the
// request, then applies hc's own policy.
func GuardRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = sameOriginRedirects(hc.CheckRedirect)
	return &cp
}

// maxRedirects is how many same-origin redirects are followed, as
// http.Client does by default.
const maxRedirects = 10

// sameOriginRedirects returns a CheckRedirect function that refuses a
// redirect to another origin (scheme, host or port) than the first
// request's: the Authorization header set on the first request would be
// copied to the next one by http.Client for the same host on another port,
// or to a subdomain, and a response from elsewhere is not the API's anyway.
// Other redirects are left to next, or limited to 10. Whatever stops a
// redirect (but http.ErrUseLastResponse) is a redirectPolicyError: the
// same redirects would be refused again, so the call is not retried.
func sameOriginRedirects(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !sameOrigin(via[0].URL, req.URL) {
			req.Header.Del("Authorization")
			return &redirectError{from: origin(via[0].URL), to: origin(req.URL)}
		}
		if next != nil {
			err := next(req, via)
			if len(via) > 0 && !sameOrigin(via[0].URL, req.URL) { // next changed the URL
				req.Header.Del("Authorization")
				return &redirectError{from: origin(via[0].URL), to: origin(req.URL)}
			}
			if err != nil && !errors.Is(err, http.ErrUseLastResponse) {
				return &redirectPolicyError{err}
			}
			return err
		}
		if len(via) >= maxRedirects {
			return &redirectPolicyError{fmt.Errorf("stopped after %d redirects", maxRedirects)}
		}
		return nil
	}
}

// redirectPolicyError is a redirect stopped by the redirect policy: too
// many of them (a loop), or one the caller's CheckRedirect refused.
type redirectPolicyError struct{ err error }

func (e *redirectPolicyError) Error() string { return e.err.Error() }
func (e *redirectPolicyError) Unwrap() error { return e.err }

// redirectError is a redirect the SDK refused to follow.
type redirectError struct{ from, to string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("the server at %s redirected to %s, another origin: the SDK does not follow it, so that the API key is not sent there; check the base URL", e.from, e.to)
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// origin returns scheme://host[:port] of u, without a path or query that
// might carry something private.
func origin(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// isDialError reports whether err happened while connecting, before any
// byte of the request could have been written: a request of any method
// may be sent again after it.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		var dns *net.DNSError
		return !(errors.As(err, &dns) && dns.IsNotFound)
	}
	return false
}

// isPermanentTransportError reports whether a transport failure would
// happen again however often it is tried: a certificate the client does not
// trust, a server that does not speak TLS, a refused redirect, a redirect
// loop, a redirect to a Location that is not a URL.
func isPermanentTransportError(err error) bool {
	var (
		cert     *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		redirect *redirectError
		policy   *redirectPolicyError
		dns      *net.DNSError
		ue       *url.Error
	)
	switch {
	case errors.As(err, &cert), errors.As(err, &unknown), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &record), errors.As(err, &redirect), errors.As(err, &policy):
		return true
	case errors.As(err, &ue) && ue.Err != nil && strings.HasPrefix(ue.Err.Error(), "failed to parse Location header"):
		// net/http's text for a redirect whose Location is not a URL: the
		// server would send the same one again.
		return true
	case errors.As(err, &dns) && dns.IsNotFound:
		return true
	}
	return false
}
