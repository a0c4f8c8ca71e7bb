package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/anam-ai/anam-go/api"
)

// envFake turns --fake on when it is true (1, true...).
const envFake = "ANAM_FAKE"

// cliVersion is the version of the command, which is the SDK's.
const cliVersion = api.Version

func printVersion(w io.Writer) error {
	_, err := fmt.Fprintf(w, "anam %s (anam-go SDK %s)\n", cliVersion, api.Version)
	return err
}

// connect builds the client from the flags and the environment: the
// built-in fake with --fake or ANAM_FAKE, else the API at --base-url,
// ANAM_BASE_URL or the default, with ANAM_API_KEY. done releases what it
// started.
func connect(g globals, e env) (client *api.Client, done func(), err error) {
	var opts []api.Option
	done = func() {}
	useFake := g.fake
	if v := e.getenv(envFake); v != "" {
		on, perr := strconv.ParseBool(v)
		if perr != nil {
			return nil, nil, configError{fmt.Sprintf("%s=%q: want 1 or 0", envFake, v)}
		}
		useFake = useFake || on
	}
	source := ""
	if useFake {
		f, err := startFake("", defaultFakeItems)
		if err != nil {
			return nil, nil, fmt.Errorf("starting the built-in fake API: %w", err)
		}
		fmt.Fprintf(e.stderr, "anam: using the built-in fake Anam API at %s (--fake): nothing is sent to Anam\n", f.url)
		done = f.close
		opts = append(opts, api.WithAPIKey(f.key), api.WithBaseURL(f.url))
	} else {
		key := strings.TrimSpace(e.getenv(api.EnvAPIKey))
		if key == "" {
			return nil, nil, configError{"no API key: set " + api.EnvAPIKey + " to a key from the Anam Lab (API keys page),\n" +
				"  e.g. export " + api.EnvAPIKey + "=...; or pass --fake (or set " + envFake + "=1) to try the CLI against a built-in fake API"}
		}
		base := api.DefaultBaseURL
		switch {
		case g.baseURL != "":
			base, source = g.baseURL, "--base-url"
		case e.getenv(api.EnvBaseURL) != "":
			base, source = e.getenv(api.EnvBaseURL), api.EnvBaseURL
		}
		opts = append(opts, api.WithAPIKey(key), api.WithBaseURL(base))
	}
	opts = append(opts, api.WithUserAgent("anam-cli/"+cliVersion))
	if g.debug {
		opts = append(opts, api.WithLogger(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	client, err = api.NewClient(opts...)
	if err != nil {
		done()
		return nil, nil, configErrorOf(err, source)
	}
	return client, done, nil
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
		return configError{api.EnvAPIKey + ": " + strings.TrimPrefix(reason, "the ")}
	}
	return configError{reason}
}
