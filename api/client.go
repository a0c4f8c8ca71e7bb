package api

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/anam-ai/anam-go/internal/engine"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is the server named in the Anam OpenAPI document.
const DefaultBaseURL = "https://api.anam.ai"

// Environment variables read by NewClient when the matching option is absent.
const (
	EnvAPIKey  = "ANAM_API_KEY"
	EnvBaseURL = "ANAM_BASE_URL"
)

// ConfigError is a bad configuration given to NewClient.
type ConfigError struct{ Reason string }

func (e *ConfigError) Error() string { return "anam: NewClient: " + e.Reason }

// NewClient returns a client configured by opts. The API key comes from
// WithAPIKey or else the ANAM_API_KEY environment variable; the base URL
// from WithBaseURL, else ANAM_BASE_URL, else DefaultBaseURL. The environment
// is read here only, never later.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{Config: engine.Config{Timeout: DefaultTimeout, MaxBodyBytes: DefaultMaxResponseBytes, MaxRetries: DefaultMaxRetries}}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, &ConfigError{Reason: err.Error()}
		}
	}

	key := os.Getenv(EnvAPIKey)
	if cfg.apiKey != nil {
		key = *cfg.apiKey
	}
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, &ConfigError{Reason: "no API key: pass api.WithAPIKey(key) or set " + EnvAPIKey +
			" (create a key in the Anam Lab under API keys)"}
	}
	if strings.ContainsAny(key, "\r\n\t ") {
		return nil, &ConfigError{Reason: "the API key contains white space or a line break: check how it was copied"}
	}
	if hasControl(key) {
		return nil, &ConfigError{Reason: "the API key contains a control character, which no HTTP header may hold: check how it was copied"}
	}

	base := os.Getenv(EnvBaseURL)
	source := EnvBaseURL
	if cfg.baseURL != nil {
		base, source = *cfg.baseURL, "WithBaseURL"
	}
	if base == "" {
		base, source = DefaultBaseURL, "DefaultBaseURL"
	}
	base, err := checkBaseURL(base, cfg.insecureHTTP)
	if err != nil {
		return nil, &ConfigError{Reason: fmt.Sprintf("base URL from %s: %v", source, err)}
	}

	cfg.APIKey, cfg.BaseURL = key, base
	cfg.UserAgent = "anam-go/" + Version
	if cfg.uaSuffix != "" {
		cfg.UserAgent += " " + cfg.uaSuffix
	}
	c, err := engine.New(cfg.Config)
	if err != nil {
		return nil, &ConfigError{Reason: err.Error()}
	}
	return (*Client)(c), nil
}

// hasControl reports whether s holds an ASCII control character (DEL
// included), which net/http refuses in a header value.
func hasControl(s string) bool {
	for i := range len(s) {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// checkBaseURL checks a base URL and returns it normalised. Its errors
// never repeat the URL's userinfo, query or fragment, which may hold a
// password or a key: they show scheme://host/path at most.
func checkBaseURL(raw string, insecure bool) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url.Parse's errors quote the URL, or the part of it that is
		// wrong (a port, an escape): keep only what they say is wrong.
		why := "it does not parse"
		var ue *url.Error
		if errors.As(err, &ue) {
			why = strings.TrimSpace(quoted.ReplaceAllString(ue.Err.Error(), ""))
		}
		return "", fmt.Errorf("the value is not a URL (%s), e.g. %s", why, DefaultBaseURL)
	}
	shown := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("%q: the scheme must be https (or http for a local server), e.g. %s", shown, DefaultBaseURL)
	}
	if u.Host == "" {
		return "", fmt.Errorf("%q has no host, e.g. %s", shown, DefaultBaseURL)
	}
	if u.User != nil {
		return "", fmt.Errorf("%s://%s...: credentials in the URL are not supported; use WithAPIKey", u.Scheme, u.Host)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q + a query or fragment (not shown): a base URL has no query or fragment", shown)
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%q uses plain http to a non-loopback host, which would send the API key unencrypted: use https, or WithInsecureHTTP() if you really mean it", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u.String(), nil
}

// quoted matches a quoted part of an error message, with the space before.
var quoted = regexp.MustCompile(`\s*"[^"]*"`)

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
