package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/anam-ai/anam-go/api"
)

// Environment variables the command line reads besides the SDK's
// ANAM_API_KEY and ANAM_BASE_URL.
const (
	envFake      = "ANAM_FAKE"       // 1: same as --fake
	envProfile   = "ANAM_PROFILE"    // the profile to use, as --profile
	envConfigDir = "ANAM_CONFIG_DIR" // where profiles are stored, in place of the user config directory
)

// defaultProfile is the profile used when none is named.
const defaultProfile = "default"

// settings are where the key and base URL of a run come from. Each value
// is taken from the first of: a flag, the environment, the profile, the
// default. The key has no flag: a command line is visible to every user
// of the machine (ps).
type settings struct {
	profile, profileFrom string // the profile's name, and what chose it
	key, keyFrom         string // "" when there is none
	baseURL, baseFrom    string
	stored               *storedProfile // the profile, when stored
	store                *profileStore
}

// resolve works out the settings of this run.
func (a *app) resolve() (*settings, error) {
	s := &settings{profile: defaultProfile, profileFrom: "the default"}
	switch {
	case a.g.profile != "":
		s.profile, s.profileFrom = a.g.profile, "--profile"
	case a.e.getenv(envProfile) != "":
		s.profile, s.profileFrom = a.e.getenv(envProfile), envProfile
	}
	if err := checkProfileName(s.profile); err != nil {
		return nil, configError{fmt.Sprintf("%s: %v", s.profileFrom, err)}
	}
	store, err := a.profiles()
	if err != nil {
		return nil, err
	}
	s.store = store
	profiles, err := store.load()
	if err != nil {
		return nil, err
	}
	if p, ok := profiles[s.profile]; ok {
		s.stored = &p
	}
	if k := strings.TrimSpace(a.e.getenv(api.EnvAPIKey)); k != "" {
		s.key, s.keyFrom = k, api.EnvAPIKey
	} else if s.stored != nil && s.stored.APIKey != "" {
		s.key, s.keyFrom = s.stored.APIKey, fmt.Sprintf("profile %q (%s)", s.profile, store.path)
	}
	switch {
	case a.g.baseURL != "":
		s.baseURL, s.baseFrom = a.g.baseURL, "--base-url"
	case a.e.getenv(api.EnvBaseURL) != "":
		s.baseURL, s.baseFrom = a.e.getenv(api.EnvBaseURL), api.EnvBaseURL
	case s.stored != nil && s.stored.BaseURL != "":
		s.baseURL, s.baseFrom = s.stored.BaseURL, fmt.Sprintf("profile %q", s.profile)
	default:
		s.baseURL, s.baseFrom = api.DefaultBaseURL, "the default"
	}
	return s, nil
}

// fakeOn reports whether --fake or ANAM_FAKE asks for the built-in fake.
func (a *app) fakeOn() (bool, error) {
	if a.g.fake {
		return true, nil
	}
	v := a.e.getenv(envFake)
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, configError{fmt.Sprintf("%s=%q: want 1 or 0", envFake, v)}
	}
	return on, nil
}

// connection is a client and what releases it.
type connection struct {
	client *api.Client
	key    string // the key it sends, which --debug never shows
	done   func()
}

// connect builds the client: the built-in fake with --fake or ANAM_FAKE,
// else the API at the base URL the settings give, with their key.
func (a *app) connect() (*connection, error) {
	cn := &connection{done: func() {}}
	useFake, err := a.fakeOn()
	if err != nil {
		return nil, err
	}
	var opts []api.Option
	source := ""
	if useFake {
		f, err := startFake("", defaultFakeItems)
		if err != nil {
			return nil, fmt.Errorf("starting the built-in fake API: %w", err)
		}
		fmt.Fprintf(a.e.stderr, "anam: using the built-in fake Anam API at %s (--fake): nothing is sent to Anam\n", f.url)
		cn.done = f.close
		cn.key = f.key
		opts = append(opts, api.WithAPIKey(f.key), api.WithBaseURL(f.url))
	} else {
		s, err := a.resolve()
		if err != nil {
			return nil, err
		}
		if s.key == "" {
			return nil, a.noKey(s)
		}
		if s.keyFrom == api.EnvAPIKey && s.profileFrom != "the default" && s.stored != nil {
			fmt.Fprintf(a.e.stderr, "anam: %s is set and takes precedence over the key of profile %q\n", api.EnvAPIKey, s.profile)
		}
		cn.key = s.key
		source = s.baseFrom
		opts = append(opts, api.WithAPIKey(s.key), api.WithBaseURL(s.baseURL))
	}
	opts = append(opts, api.WithUserAgent("anam-cli/"+cliVersion))
	if a.g.debug {
		opts = append(opts, a.debugOptions()...)
	}
	cn.client, err = api.NewClient(opts...)
	if err != nil {
		cn.done()
		return nil, configErrorOf(err, source)
	}
	return cn, nil
}

// noKey is the error of a run with no key from anywhere.
func (a *app) noKey(s *settings) error {
	if s.profileFrom != "the default" {
		return configError{fmt.Sprintf("no API key: profile %q is not stored (%s chose it), and %s is not set;\n"+
			"  run 'anam auth login --profile %s' to store its key", s.profile, s.profileFrom, api.EnvAPIKey, s.profile)}
	}
	return configError{"no API key: run 'anam auth login' to store one, or set " + api.EnvAPIKey + " to a key\n" +
		"  from the Anam Lab (API keys page); or pass --fake (or set " + envFake + "=1) to try the CLI against a built-in fake API"}
}

// configErrorOf says a NewClient error in the CLI's words: the flag or
// variable the bad value came from, not the SDK option.
func configErrorOf(err error, source string) error {
	var ce *api.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	reason := ce.Reason
	if rest, ok := strings.CutPrefix(reason, "base URL from "); ok {
		if _, detail, ok := strings.Cut(rest, ": "); ok {
			if source == "" {
				source = "the base URL"
			}
			return configError{fmt.Sprintf("%s: %s", source, detail)}
		}
	}
	if strings.Contains(reason, "API key") {
		return configError{"the API key: " + strings.TrimPrefix(reason, "the ")}
	}
	return configError{reason}
}
