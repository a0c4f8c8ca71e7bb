package surface

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/loopback"
	"github.com/anam-ai/anam-go/internal/specprep"
)

// The tests of this file hold for any document: each finds the operations
// it needs by what api.Operations says of them, calls their typed methods
// (found by the generator's naming rule) with the arguments of a request
// the fake accepts (anamtest.Server.Sample), and checks what a recording
// loopback server receives. A kind of operation the vendored document
// lacks is skipped, saying so.

// typedCall is one call of an operation's typed method (the JSON variant
// of an operation that takes JSON or a form) with valid arguments.
type typedCall struct {
	op     *api.Operation
	method reflect.Value
	args   []reflect.Value
	sample anamtest.Sample
}

// typedCalls returns a valid call of every operation that pick accepts,
// on a client of base, with the arguments of the fake's samples.
func typedCalls(t *testing.T, base string, pick func(*api.Operation) bool) []typedCall {
	t.Helper()
	fake := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(1))
	c, err := api.NewClient(api.WithAPIKey(testKey), api.WithBaseURL(base), api.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	client := reflect.ValueOf(c)
	var calls []typedCall
	for _, op := range api.Operations() {
		if !pick(op) {
			continue
		}
		name := specprep.GoTypeName(op.ID)
		m := client.MethodByName(name)
		if !m.IsValid() {
			t.Fatalf("Client has no method %s for %s", name, op.ID)
		}
		smp, err := fake.Sample(op.ID, op.Body == api.BodyMultipart)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, typedCall{op: op, method: m, args: arguments(t, m.Type(), op, smp), sample: smp})
	}
	if len(calls) == 0 {
		t.Skip("the vendored document has no operation of this kind")
	}
	return calls
}

// call calls the method and returns its result (nil when it returns only
// an error) and its error.
func (tc typedCall) call(args []reflect.Value) (any, error) {
	out := tc.method.Call(args)
	err, _ := out[len(out)-1].Interface().(error)
	if len(out) == 1 {
		return nil, err
	}
	return out[0].Interface(), err
}

// wirePath is the path a request of op with these path arguments takes.
func wirePath(op *api.Operation, args []string) string {
	p := op.Path
	for _, a := range args {
		i, j := strings.IndexByte(p, '{'), strings.IndexByte(p, '}')
		p = p[:i] + url.PathEscape(a) + p[j+1:]
	}
	return p
}

const testKey = "sk-surface-test-key-0123456789"

// Every request goes where its operation says, with the method it says,
// authenticated, and carries its body as the operation takes it: JSON that
// says what the sample said, or no body at all and no Content-Type.
func TestRequestsOnTheWire(t *testing.T) {
	rec := loopback.NewRecorder(t, loopback.Respond(200, `{}`))
	calls := typedCalls(t, rec.URL, func(op *api.Operation) bool { return op.Body != api.BodyMultipart })
	for _, tc := range calls {
		t.Run(tc.op.ID, func(t *testing.T) {
			before := len(rec.Requests())
			_, _ = tc.call(tc.args) // the answer {} need not fit: the request is what counts
			reqs := rec.Requests()
			if len(reqs) != before+1 {
				t.Fatalf("%d requests sent, want 1", len(reqs)-before)
			}
			r := reqs[before]
			if want := wirePath(tc.op, tc.sample.PathArgs); r.Method != tc.op.Method || r.Path != want {
				t.Errorf("sent %s %s, want %s %s", r.Method, r.Path, tc.op.Method, want)
			}
			if r.Header.Get("Authorization") != "Bearer "+testKey {
				t.Errorf("Authorization %q", r.Header.Get("Authorization"))
			}
			switch ct := r.Header.Get("Content-Type"); {
			case tc.op.Body == api.BodyNone:
				if len(r.Body) != 0 || ct != "" {
					t.Errorf("an operation without a body sent %q (Content-Type %q)", r.Body, ct)
				}
			case ct != "application/json":
				t.Errorf("Content-Type %q, want application/json", ct)
			default:
				var sent, sample any
				if err := json.Unmarshal(r.Body, &sent); err != nil {
					t.Fatalf("the body is no JSON: %v: %s", err, r.Body)
				}
				if err := json.Unmarshal(tc.sample.Body, &sample); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(sent, sample) {
					t.Errorf("sent %s\nfrom the sample %s", r.Body, tc.sample.Body)
				}
			}
		})
	}
}

// An argument that breaks its parameter's rule (a UUID that is none, a
// value outside its enum or above its maximum) is refused with an
// *ArgumentError naming the parameter, and nothing is sent.
func TestArgumentsRefusedUnsent(t *testing.T) {
	rec := loopback.NewRecorder(t, loopback.Respond(200, `{}`))
	calls := typedCalls(t, rec.URL, func(op *api.Operation) bool {
		for _, p := range op.PathParams {
			if p.Format == "uuid" {
				return true
			}
		}
		for _, p := range op.Query {
			if badQueryValue(p) != nil {
				return true
			}
		}
		return false
	})
	refused := func(t *testing.T, tc typedCall, param string, args []reflect.Value) {
		t.Helper()
		_, err := tc.call(args)
		var ae *api.ArgumentError
		if !errors.As(err, &ae) || ae.Name != param || !errors.Is(err, api.ErrInvalidArgument) || !strings.Contains(err.Error(), "no request was sent") {
			t.Errorf("err = %v, want an *ArgumentError for %s", err, param)
		}
	}
	for _, tc := range calls {
		t.Run(tc.op.ID, func(t *testing.T) {
			for i, p := range tc.op.PathParams {
				if p.Format != "uuid" {
					continue
				}
				args := append([]reflect.Value(nil), tc.args...)
				args[1+i] = reflect.ValueOf("not-a-uuid")
				refused(t, tc, p.Name, args)
			}
			for _, p := range tc.op.Query {
				bad := badQueryValue(p)
				if bad == nil {
					continue
				}
				args, ok := withQuery(tc, p.Name, bad)
				if !ok {
					t.Fatalf("the typed method of %s has no field for the query parameter %s", tc.op.ID, p.Name)
				}
				refused(t, tc, p.Name, args)
			}
		})
	}
	if n := len(rec.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// badQueryValue is a value that breaks the rule of a query parameter, nil
// for a parameter whose rule every value of its Go type keeps.
func badQueryValue(p api.Param) any {
	switch {
	case p.Type == "string" && len(p.Enum) > 0:
		return "not-one-of-" + strings.Join(p.Enum, "-")
	case p.Type == "integer" && p.Maximum != nil:
		return int64(*p.Maximum) + 1
	case p.Type == "string" && p.Format == "uuid":
		return "not-a-uuid"
	}
	return nil
}

// withQuery returns tc's arguments with the query parameter name set to
// v, in a Params argument of its own.
func withQuery(tc typedCall, name string, v any) ([]reflect.Value, bool) {
	args := append([]reflect.Value(nil), tc.args...)
	mt := tc.method.Type()
	for in := 1 + len(tc.op.PathParams); in < mt.NumIn(); in++ {
		at := mt.In(in)
		if at.Kind() != reflect.Pointer || !strings.HasSuffix(at.Elem().Name(), "Params") {
			continue
		}
		params := reflect.New(at.Elem())
		if !args[in].IsNil() {
			params.Elem().Set(args[in].Elem())
		}
		for _, f := range reflect.VisibleFields(at.Elem()) {
			if tag, _, _ := strings.Cut(f.Tag.Get("form"), ","); tag != name {
				continue
			}
			fv := params.Elem().FieldByIndex(f.Index)
			target := fv
			if fv.Kind() == reflect.Pointer {
				fv.Set(reflect.New(fv.Type().Elem()))
				target = fv.Elem()
			}
			switch x := v.(type) {
			case string:
				if target.Kind() != reflect.String {
					return nil, false
				}
				target.SetString(x)
			case int64:
				if !target.CanInt() {
					return nil, false
				}
				target.SetInt(x)
			}
			args[in] = params
			return args, true
		}
	}
	return nil, false
}

// A list that is a bare JSON array with a null element is no list with a
// zero value in it: the call fails with ErrDecode naming the null.
func TestNullElementOfABareArray(t *testing.T) {
	rec := loopback.NewRecorder(t, loopback.Respond(200, `[null]`))
	calls := typedCalls(t, rec.URL, func(op *api.Operation) bool { return op.Result == api.ResultArray })
	for _, tc := range calls {
		t.Run(tc.op.ID, func(t *testing.T) {
			got, err := tc.call(tc.args)
			if !errors.Is(err, api.ErrDecode) || !strings.Contains(err.Error(), "null") {
				t.Errorf("err = %v, want ErrDecode naming the null", err)
			}
			if v := reflect.ValueOf(got); got != nil && !v.IsZero() {
				t.Errorf("a result %s alongside the error", fmt.Sprint(got))
			}
		})
	}
}
