package http1

import (
	"net/url"
	"testing"
)

func BenchmarkFormParse(b *testing.B) {
	body := []byte(raceBody(500))
	var f Form
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormParseEscaped decodes a parameter that is escaped throughout
// (non-ASCII text, percent-encoded).
func BenchmarkFormParseEscaped(b *testing.B) {
	body := []byte("interface=I&method=m&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=")
	for range 50 {
		body = append(body, "%E4%BD%A0+"...)
	}
	var f Form
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := f.Parse(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormParseNetURL is the reference: url.ParseQuery on the same body.
func BenchmarkFormParseNetURL(b *testing.B) {
	body := raceBody(500)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := url.ParseQuery(body); err != nil {
			b.Fatal(err)
		}
	}
}
