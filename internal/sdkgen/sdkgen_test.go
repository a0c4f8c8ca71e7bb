package sdkgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"id": "id", "ID": "id", "personaId": "personaID", "URLKey": "urlKey", "type": "typeArg", "ctx": "ctxArg", "page": "page",
	} {
		if got := goParamName(in); got != want {
			t.Errorf("goParamName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string][3]string{
		"ListAvatars":        {"Avatars", "AvatarPages", "ListAllAvatars"},
		"ListMeetingInvites": {"MeetingInvites", "MeetingInvitePages", "ListAllMeetingInvites"},
		"SearchThings":       {"SearchThingsItems", "SearchThingsPages", "SearchThingsAll"},
	} {
		items, pages, all := iteratorNames(in)
		if [3]string{items, pages, all} != want {
			t.Errorf("iteratorNames(%q) = %s, %s, %s, want %v", in, items, pages, all, want)
		}
	}
}

// generate runs Generate on a spec with empty gen and api packages (enough
// for operations without parameters, bodies or results).
func generate(t *testing.T, spec string, apiSrc string) error {
	t.Helper()
	genDir, apiDir := t.TempDir(), t.TempDir()
	if apiSrc != "" {
		if err := os.WriteFile(filepath.Join(apiDir, "client.go"), []byte(apiSrc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := Generate(Config{Spec: []byte(spec), GenDir: genDir, APIDir: apiDir, ModulePath: "example.com", Generate: "test"})
	return err
}

func spec(paths string) string {
	return `{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {` + paths + `}}`
}

const noContent = `"responses": {"204": {"description": "done"}}`

func TestGenerateRefusesWhatItCannotName(t *testing.T) {
	cases := map[string]struct {
		spec, api, want string
	}{
		"no operationId": {spec(`"/v1/x": {"post": {` + noContent + `}}`), "", "has no operationId"},
		"two operations, one method": {spec(`"/v1/x": {"post": {"operationId": "ping_thing", ` + noContent + `}},
			"/v1/y": {"post": {"operationId": "pingThing", ` + noContent + `}}`), "", "both"},
		"a method of the client's own": {spec(`"/v1/x": {"post": {"operationId": "do", ` + noContent + `}}`), "", "declares for every spec"},
		"an unknown path parameter": {spec(`"/v1/x/{id}": {"delete": {"operationId": "deleteX", ` + noContent + `}}`), "", "{id}"},
		"not a document":            {`{"openapi": 3}`, "", "load prepared document"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := generate(t, tc.spec, tc.api)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if err := generate(t, spec(`"/v1/x/{id}": {"delete": {"operationId": "deleteX", "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}], `+noContent+`}}`), ""); err != nil {
		t.Errorf("a plain delete: %v", err)
	}
}
