package dubbo

import (
	"math/rand/v2"
	"strconv"
	"testing"

	hessian "github.com/apache/dubbo-go-hessian2"
)

// encAlnum returns a random alphanumeric string of n bytes, like the race's
// arguments.
func encAlnum(r *rand.Rand, n int) []byte {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return b
}

var encBenchLengths = []int{0, 32, 512, 1023}

func benchmarkEncodeRequest(b *testing.B, s Serialization) {
	for _, n := range encBenchLengths {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			r := encRaceRequest(s, string(encAlnum(rand.New(rand.NewPCG(1, uint64(n))), n)))
			buf := make([]byte, 4096)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				n, err := RequestSize(r)
				if err != nil {
					b.Fatal(err)
				}
				PutRequest(buf[:n], r)
			}
		})
	}
}

func BenchmarkEncodeRequestHessian(b *testing.B)  { benchmarkEncodeRequest(b, Hessian2) }
func BenchmarkEncodeRequestFastJSON(b *testing.B) { benchmarkEncodeRequest(b, FastJSON) }

// BenchmarkEncodeRequestHessianLibrary builds the same body with the
// library's value encoder, for comparison.
func BenchmarkEncodeRequestHessianLibrary(b *testing.B) {
	for _, n := range encBenchLengths {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			arg := string(encAlnum(rand.New(rand.NewPCG(1, uint64(n))), n))
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				e := hessian.NewEncoder()
				for _, v := range []any{"2.0.2", encRaceInterface, "0.0.0", "hash", "Ljava/lang/String;", arg} {
					_ = e.Encode(v)
				}
				_ = e.Encode(map[any]any{"path": encRaceInterface, "interface": encRaceInterface, "version": "0.0.0"})
			}
		})
	}
}

func BenchmarkEncodeCheckArgs(b *testing.B) {
	types := []byte("Ljava/lang/String;")
	args := [][]byte{encAlnum(rand.New(rand.NewPCG(1, 2)), 512)}
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckArgs(types, args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeHeartbeat(b *testing.B) {
	buf := make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		PutHeartbeat(buf, 1, Hessian2, false)
	}
}

func benchmarkEncodeResponse(b *testing.B, v Value) {
	for _, s := range []Serialization{Hessian2, FastJSON} {
		b.Run(s.String(), func(b *testing.B) {
			r := &Response{ID: 1, Serialization: s, Status: StatusOK, Value: v}
			dst := make([]byte, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				dst = AppendResponse(dst[:0], r)
			}
		})
	}
}

func BenchmarkEncodeResponseInt(b *testing.B) {
	benchmarkEncodeResponse(b, Value{Type: TypeInt, Int: -1094917604})
}

func BenchmarkEncodeResponseString(b *testing.B) {
	benchmarkEncodeResponse(b, Value{Type: TypeString, Bytes: encAlnum(rand.New(rand.NewPCG(3, 4)), 512)})
}
