package hessianjson

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"
	gxbig "github.com/dubbogo/gost/math/big"
)

// BenchmarkUser renders the 1 KB Java-shaped User (javaUser) to JSON, side
// by side: this package, and the obvious path with dubbo-go-hessian2
// (Decode, make its maps marshalable, encoding/json's Marshal).
func BenchmarkUser(b *testing.B) {
	src := javaUser()
	b.Run("hessianjson", func(b *testing.B) {
		var r Renderer
		dst := make([]byte, 0, 4096)
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			r.Reset()
			out, _, err := r.Append(dst[:0], src)
			if err != nil || len(out) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			v, err := hessian.NewDecoder(src).Decode()
			if err != nil {
				b.Fatal(err)
			}
			out, err := json.Marshal(marshalable(v))
			if err != nil || len(out) == 0 {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUsers renders a list of 20 users sharing their enum constant.
func BenchmarkUsers(b *testing.B) {
	src := javaUsers(20)
	b.Run("hessianjson", func(b *testing.B) {
		var r Renderer
		dst := make([]byte, 0, 4096)
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			r.Reset()
			if _, _, err := r.Append(dst[:0], src); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			v, err := hessian.NewDecoder(src).Decode()
			if err != nil {
				b.Fatal(err)
			}
			if _, err := json.Marshal(marshalable(v)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// marshalable is the least the library's decoded values need before
// encoding/json takes them: maps with interface{} keys get string keys,
// objects of unknown classes lose their class name (an enum becomes its
// name), decimals become numbers and dates RFC 3339 strings.
func marshalable(v any) any {
	switch v := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(k)] = marshalable(e)
		}
		return m
	case map[string]any:
		if _, ok := v[hessian.ClassKey]; ok && len(v) == 2 {
			if name, ok := v["name"]; ok {
				return name
			}
		}
		m := make(map[string]any, len(v))
		for k, e := range v {
			if k != hessian.ClassKey {
				m[k] = marshalable(e)
			}
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = marshalable(e)
		}
		return l
	case *gxbig.Decimal:
		return json.Number(v.String())
	case time.Time:
		return v.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	}
	return v
}
