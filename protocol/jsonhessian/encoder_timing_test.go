package jsonhessian

import (
	"encoding/json"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// benchUser is a User-shaped argument of about 1 KB: a nested address, a
// list of strings, a map, an enum, a Date, a BigDecimal and an int array.
const benchUser = `{
  "id": 9007199254740993,
  "name": "Ada Lovelace",
  "email": "ada.lovelace@analytical-engine.example.com",
  "age": 36,
  "active": true,
  "score": 98.75,
  "role": {"name": "ADMIN"},
  "address": {
    "street": "12 St James's Square",
    "city": "London",
    "zip": "SW1Y 4JH",
    "country": "United Kingdom",
    "geo": {"lat": 51.5074, "lng": -0.1365}
  },
  "tags": ["mathematician", "writer", "programmer", "poet", "translator", "analyst"],
  "attributes": {"team": "engines", "floor": 3, "remote": false, "badge": "A-1815", "manager": null},
  "createdAt": {"class": "java.util.Date", "value": "2026-12-05T08:00:00.123Z"},
  "balance": {"class": "java.math.BigDecimal", "value": "12.50"},
  "scores": [97, 88, 100, 93, 79, 85, 91, 99, 100, 87, 95, 90],
  "notes": "Wrote the first program, for Babbage's engine \"Note G\" (1843) — it could compose music.",
  "friends": [
    {"id": 1, "name": "Charles Babbage", "role": {"name": "USER"}},
    {"id": 2, "name": "Mary Somerville", "role": {"name": "USER"}}
  ]
}`

var benchUserType = Type{Kind: KindClass, Elem: KindClass, Desc: []byte("Lcom/dubbomesh/demo/User;"), Class: []byte("com/dubbomesh/demo/User")}

// BenchmarkJSONToHessian transcodes benchUser with an Encoder ("ours") and
// the obvious way: encoding/json into interface{}, then dubbo-go-hessian2's
// Encoder ("library").
func BenchmarkJSONToHessian(b *testing.B) {
	arg := []byte(benchUser)
	b.Run("ours", func(b *testing.B) {
		var e Encoder
		buf := make([]byte, 0, MaxSize(benchUserType, arg))
		b.SetBytes(int64(len(arg)))
		b.ReportAllocs()
		for b.Loop() {
			e.Reset()
			out, err := e.AppendArg(buf[:0], benchUserType, arg)
			if err != nil {
				b.Fatal(err)
			}
			buf = out
		}
	})
	b.Run("library", func(b *testing.B) {
		b.SetBytes(int64(len(arg)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(arg, &v); err != nil {
				b.Fatal(err)
			}
			enc := hessian.NewEncoder()
			if err := enc.Encode(v); err != nil {
				b.Fatal(err)
			}
			_ = enc.Buffer()
		}
	})
}

// BenchmarkCheck validates benchUser as a consumer agent does.
func BenchmarkCheck(b *testing.B) {
	arg := []byte(benchUser)
	var e Encoder
	b.SetBytes(int64(len(arg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := e.Check(benchUserType, arg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseTypes parses a descriptor list of five parameters.
func BenchmarkParseTypes(b *testing.B) {
	desc := []byte("Ljava/lang/String;I[Lcom/x/User;Ljava/util/Map;[[J")
	dst := make([]Type, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = ParseTypes(desc, dst); err != nil {
			b.Fatal(err)
		}
	}
}
