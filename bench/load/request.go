package load

import "strconv"

// Service is the race's interface; Method and Types its method and descriptor.
const (
	Service = "com.alibaba.dubbo.performance.demo.provider.IHelloService"
	Method  = "hash"
)

// formPrefix is the race's form up to the parameter's value.
const formPrefix = "interface=" + Service + "&method=" + Method +
	"&parameterTypesString=Ljava%2Flang%2FString%3B&parameter="

// AppendRequest appends the race's call to dst, a POST of the form
// interface=...&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter=<param>
// with param percent-encoded (alphanumerics and "-._~" stay as they are),
// addressed to host, and returns the extended slice. The request keeps the
// connection alive. It allocates only when dst lacks capacity.
func AppendRequest(dst []byte, host string, param []byte) []byte {
	n := encodedLen(param)
	dst = appendPostHead(dst, host, len(formPrefix)+n)
	dst = append(dst, formPrefix...)
	return appendEscaped(dst, param, n)
}

// appendPostHead appends the head of a keep-alive form POST to host with a
// body of n bytes.
func appendPostHead(dst []byte, host string, n int) []byte {
	dst = append(dst, "POST / HTTP/1.1\r\nHost: "...)
	dst = append(dst, host...)
	dst = append(dst, "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, "\r\n\r\n"...)
}

// unreserved marks the bytes a form value carries as is.
var unreserved = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~'
	}
	return t
}()

func encodedLen(s []byte) int {
	n := len(s)
	for _, c := range s {
		if !unreserved[c] {
			n += 2
		}
	}
	return n
}

// appendEscaped appends s percent-encoded; n is encodedLen(s).
func appendEscaped(dst, s []byte, n int) []byte {
	if n == len(s) {
		return append(dst, s...) // the generator's alphanumerics
	}
	const hex = "0123456789ABCDEF"
	for _, c := range s {
		if unreserved[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hex[c>>4], hex[c&15])
		}
	}
	return dst
}
