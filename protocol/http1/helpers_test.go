package http1

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func equal[T comparable](t testing.TB, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

func isErr(t testing.TB, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("%s: err = %v, want %v", what, got, want)
	}
}

// raceParam is an alphanumeric parameter of n characters, as the race's
// consumer sends.
func raceParam(n int) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[(i*7+3)%len(alnum)]
	}
	return string(b)
}

// raceBody is the race's form body with a parameter of n characters.
func raceBody(n int) string {
	return "interface=com.alibaba.dubbo.performance.demo.provider.IHelloService&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=" + raceParam(n)
}

// raceRequest is the race's request with a parameter of n characters.
func raceRequest(n int) string {
	body := raceBody(n)
	return "POST / HTTP/1.1\r\nHost: 127.0.0.1:20000\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// crlf turns the "|" of a readable test request into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "|", "\r\n") }
