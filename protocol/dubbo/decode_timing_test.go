package dubbo

import (
	"testing"
)

func BenchmarkDecodeResponse(b *testing.B) {
	for _, name := range []string{"HessianInt", "HessianLong", "HessianDouble", "HessianString", "HessianNull", "JSONInt", "JSONDouble", "JSONString"} {
		c := decResponseBodies(b)[name]
		b.Run(name, func(b *testing.B) {
			dst := make([]byte, 0, 64)
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := DecodeResponse(c.h, c.body, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeResponseLibrary is the same int result decoded by
// dubbo-go-hessian2, for comparison.
func BenchmarkDecodeResponseLibrary(b *testing.B) {
	body := decResponseBodies(b)["HessianInt"].body
	b.ReportAllocs()
	for b.Loop() {
		decLibRender(b, body[1:])
	}
}

func BenchmarkDecodeParseRequest(b *testing.B) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		h, body := decRaceRequest(b, s)
		b.Run(s.String(), func(b *testing.B) {
			var r Request
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := ParseRequest(h, body, &r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeNext(b *testing.B) {
	frame := AppendResponse(nil, &Response{Status: StatusOK, Value: Value{Type: TypeInt, Int: 1}})
	b.ReportAllocs()
	for b.Loop() {
		_, _, _, _ = Next(frame)
	}
}

func BenchmarkDecodeJavaDouble(b *testing.B) {
	buf := make([]byte, 0, 32)
	b.ReportAllocs()
	for b.Loop() {
		buf = decAppendJavaDouble(buf[:0], 1.2345678e-7)
	}
}
