package http1

import "testing"

func BenchmarkPutResponse(b *testing.B) {
	body := []byte("-1094917604")
	buf := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		PutResponse(buf[:ResponseSize(200, len(body), KeepAlive)], 200, body, KeepAlive)
	}
}

func BenchmarkPutError(b *testing.B) {
	msg := "no provider agent is registered for com.alibaba.dubbo.performance.demo.provider.IHelloService"
	buf := make([]byte, 512)
	b.ReportAllocs()
	for b.Loop() {
		PutError(buf[:ErrorSize(503, msg, Close)], 503, msg, Close)
	}
}
