package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Profiles are stored in one JSON file, profiles.json, with mode 0600 in a
// directory with mode 0700: ANAM_CONFIG_DIR, else anam/ under the user
// config directory (os.UserConfigDir: $XDG_CONFIG_HOME or ~/.config on
// Linux, ~/Library/Application Support on macOS, %AppData% on Windows).
//
// Why a file and not the OS keychain: the keychain needs a session bus
// (Secret Service) on Linux, which servers, containers and CI do not have,
// so a file would be needed as the fallback anyway; it is what the stripe
// CLI does, and gh where no keychain answers. The file is written
// atomically (a temporary file renamed over it) and only ever with mode
// 0600; anam warns when it finds it readable by others.

const profilesFile = "profiles.json"

// storedProfile is one profile of the file.
type storedProfile struct {
	APIKey  string `json:"api_key"`
	BaseURL string `json:"base_url,omitempty"`
}

type profilesDoc struct {
	Profiles map[string]storedProfile `json:"profiles"`
}

// profileStore is the profiles file.
type profileStore struct {
	path  string
	noDir string       // why there is no path, when there is none
	warn  func(string) // says something on stderr
}

// profiles is the store of this run.
func (a *app) profiles() (*profileStore, error) {
	warn := func(s string) { fmt.Fprintln(a.e.stderr, "anam:", s) }
	dir := a.e.getenv(envConfigDir)
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			// No home: no profiles to read (ANAM_API_KEY still works),
			// and none can be stored.
			return &profileStore{noDir: fmt.Sprintf("no directory to keep profiles in (%v): set %s to one", err, envConfigDir), warn: warn}, nil
		}
		dir = filepath.Join(base, "anam")
	}
	return &profileStore{path: filepath.Join(dir, profilesFile), warn: warn}, nil
}

// load reads every profile; no file is no profile.
func (s *profileStore) load() (map[string]storedProfile, error) {
	if s.path == "" {
		return map[string]storedProfile{}, nil
	}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]storedProfile{}, nil
	}
	if err != nil {
		return nil, configError{fmt.Sprintf("reading the profiles: %v", err)}
	}
	if st, err := os.Stat(s.path); err == nil && st.Mode().Perm()&0o077 != 0 && s.warn != nil {
		s.warn(fmt.Sprintf("%s is readable by other users (mode %04o): run 'chmod 600 %s'", s.path, st.Mode().Perm(), s.path))
	}
	var doc profilesDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, configError{fmt.Sprintf("%s is not a profiles file anam can read (%v): fix or remove it", s.path, err)}
	}
	if doc.Profiles == nil {
		doc.Profiles = map[string]storedProfile{}
	}
	return doc.Profiles, nil
}

// save writes every profile, atomically, with mode 0600.
func (s *profileStore) save(profiles map[string]storedProfile) error {
	if s.path == "" {
		return configError{s.noDir}
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storing the profile: %w", err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(profilesDoc{Profiles: profiles}); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".profiles-*.json")
	if err != nil {
		return fmt.Errorf("storing the profile: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("storing the profile: %w", err)
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("storing the profile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("storing the profile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("storing the profile: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("storing the profile: %w", err)
	}
	return nil
}

// where is the file's path, or why there is none.
func (s *profileStore) where() string {
	if s.path == "" {
		return s.noDir
	}
	return s.path
}

// names are the stored profiles' names, sorted.
func names(profiles map[string]storedProfile) []string {
	return slices.Sorted(maps.Keys(profiles))
}

// checkProfileName refuses a profile name that could not be typed back.
func checkProfileName(name string) error {
	if name == "" || len(name) > 64 || strings.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) >= 0 {
		return fmt.Errorf("profile %q: a profile name is 1 to 64 letters, digits, '-', '_' or '.'", sanitize(name))
	}
	return nil
}
