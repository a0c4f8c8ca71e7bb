// Package surface tests the generated typed surface of package api: the
// methods and types go generate makes from a document, with the request
// engine underneath.
//
// What holds for any document runs on the vendored one, in every go test:
// every operation, through its typed method found by the generator's naming
// rule, against anamtest (every_test.go). Nothing there names an
// operation, a type or a shape of the vendored spec, so it holds after any
// update.
//
// What needs fixed shapes (the exact request each kind of operation puts on
// the wire) names July's types and methods, and runs on an SDK generated
// from the July fixture, testdata/july, in a copy of the module that
// internal/regen's TestRegenerate makes: july_test.go, behind the build
// tag surface_july.
package surface

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/anam-ai/anam-go/api"
	"github.com/anam-ai/anam-go/api/anamtest"
	"github.com/anam-ai/anam-go/internal/specprep"
	"github.com/anam-ai/anam-go/upload"
)

// TestEveryOperationThroughItsTypedMethod calls every operation of the
// vendored spec through its generated method (both variants of an
// operation that takes JSON or a form) against anamtest, which validates
// each request and response against the spec and fails the test on a bad
// one. Nothing here names an operation: the methods are found by the rule
// the generator names them by, and the arguments come from the fake's
// samples.
func TestEveryOperationThroughItsTypedMethod(t *testing.T) {
	srv := anamtest.NewServer(anamtest.WithT(t), anamtest.WithItems(3))
	c, err := api.NewClient(api.WithAPIKey(srv.APIKey()), api.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	client := reflect.ValueOf(c)
	ops := api.Operations()
	if len(ops) == 0 {
		t.Fatal("no operations")
	}
	calls := 0
	for _, op := range ops {
		name := specprep.GoTypeName(op.ID)
		variants := []struct {
			method string
			form   bool
		}{{name, op.Body == api.BodyMultipart}}
		if op.Body == api.BodyJSON|api.BodyMultipart {
			variants = append(variants, struct {
				method string
				form   bool
			}{name + "Multipart", true})
		}
		for _, v := range variants {
			t.Run(v.method, func(t *testing.T) {
				m := client.MethodByName(v.method)
				if !m.IsValid() {
					t.Fatalf("Client has no method %s for %s", v.method, op.ID)
				}
				sample, err := srv.Sample(op.ID, v.form)
				if err != nil {
					t.Fatal(err)
				}
				before := srv.Requests(op.ID)
				out := m.Call(arguments(t, m.Type(), op, sample))
				if err, _ := out[len(out)-1].Interface().(error); err != nil {
					t.Fatalf("%s: %v", v.method, err)
				}
				if len(out) == 2 && out[0].Kind() == reflect.Pointer && out[0].IsNil() {
					t.Errorf("%s returned a nil result and no error", v.method)
				}
				if got := srv.Requests(op.ID); got != before+1 {
					t.Errorf("the server saw %d requests of %s, want 1", got-before, op.ID)
				}
				calls++
			})
		}
	}
	if calls < len(ops) {
		t.Errorf("%d calls for %d operations", calls, len(ops))
	}
}

// arguments builds the arguments of a generated method from a sample:
// ctx, the path arguments, the Params (from the sample's query), the body
// (from its JSON, files filled in).
func arguments(t *testing.T, mt reflect.Type, op *api.Operation, s anamtest.Sample) []reflect.Value {
	t.Helper()
	args := []reflect.Value{reflect.ValueOf(context.Background())}
	in := 1
	for _, a := range s.PathArgs {
		args = append(args, reflect.ValueOf(a))
		in++
	}
	for ; in < mt.NumIn(); in++ {
		at := mt.In(in)
		if mt.IsVariadic() && in == mt.NumIn()-1 {
			break
		}
		elem, ptr := at, at.Kind() == reflect.Pointer
		if ptr {
			elem = at.Elem()
		}
		v := reflect.New(elem)
		switch {
		case strings.HasSuffix(elem.Name(), "Params"):
			setQuery(t, v.Elem(), s)
			if len(s.Query) == 0 {
				args = append(args, reflect.Zero(at)) // nil *Params
				continue
			}
		default:
			if len(s.Body) > 0 {
				if err := json.Unmarshal(s.Body, v.Interface()); err != nil {
					t.Fatalf("%s: the sample body does not decode into %v: %v", op.ID, elem, err)
				}
			}
			setFiles(v.Elem(), s.Files)
		}
		if ptr {
			args = append(args, v)
		} else {
			args = append(args, v.Elem())
		}
	}
	return args
}

// setQuery sets the fields of a Params struct named (by form tag) in the
// sample's query.
func setQuery(t *testing.T, v reflect.Value, s anamtest.Sample) {
	t.Helper()
	for _, f := range reflect.VisibleFields(v.Type()) {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		val, ok := s.Query[name]
		if !ok {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		target := fv
		if fv.Kind() == reflect.Pointer {
			fv.Set(reflect.New(fv.Type().Elem()))
			target = fv.Elem()
		}
		switch target.Kind() {
		case reflect.String:
			target.SetString(val[0])
		case reflect.Int, reflect.Int64, reflect.Int32:
			n, err := strconv.ParseInt(val[0], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			target.SetInt(n)
		case reflect.Bool:
			target.SetBool(val[0] == "true")
		default:
			t.Fatalf("query parameter %s of kind %v", name, target.Kind())
		}
	}
}

var fileType = reflect.TypeFor[upload.File]()

// setFiles gives every file field of a form a small file.
func setFiles(v reflect.Value, files []string) {
	if v.Kind() != reflect.Struct || len(files) == 0 {
		return
	}
	for _, f := range reflect.VisibleFields(v.Type()) {
		fv := v.FieldByIndex(f.Index)
		switch {
		case f.Type == fileType:
			fv.Set(reflect.ValueOf(upload.String("sample.txt", "hello anam")))
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem() == fileType:
			file := upload.String("sample.txt", "hello anam")
			fv.Set(reflect.ValueOf(&file))
		}
	}
}
