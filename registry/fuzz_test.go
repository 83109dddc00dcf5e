package registry

import (
	"errors"
	"net"
	"testing"
)

func FuzzParseKey(f *testing.F) {
	f.Add("/dubbomesh/com.alibaba.dubbo.performance.demo.provider.IHelloService/10.0.0.1:30000")
	f.Add("/dubbomesh/svc/[::1]:1")
	f.Add("/dubbomesh//h:1")
	f.Fuzz(func(t *testing.T, key string) {
		iface, addr, err := ParseKey(key)
		if err != nil {
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("ParseKey(%q) err %v is not ErrBadKey", key, err)
			}
			return
		}
		// A parsed key is a valid endpoint address and rebuilds exactly.
		if got := Key(iface, addr); got != key {
			t.Fatalf("Key(ParseKey(%q)) = %q", key, got)
		}
		if err := (Endpoint{Interface: iface, Addr: addr, Weight: 1}).validate(); err != nil {
			t.Fatalf("ParseKey(%q) accepted an invalid endpoint: %v", key, err)
		}
	})
}

func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte(`{"weight":3}`))
	f.Add([]byte(``))
	f.Add([]byte(`{"weight":-1}`))
	f.Add([]byte(`{"weight":3,"capacity":200}`))
	f.Add([]byte(`{"capacity":-2}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		w, c, err := DecodeRecord(v)
		if err != nil {
			if !errors.Is(err, ErrBadValue) && !errors.Is(err, ErrBadWeight) && !errors.Is(err, ErrBadCapacity) {
				t.Fatalf("DecodeRecord(%q) err %v is none of ErrBadValue, ErrBadWeight, ErrBadCapacity", v, err)
			}
			return
		}
		if w < 1 || w > MaxWeight || c < 0 || c > MaxCapacity {
			t.Fatalf("DecodeRecord(%q) = %d, %d, out of range", v, w, c)
		}
		if w1, err := DecodeValue(v); err != nil || w1 != w {
			t.Fatalf("DecodeValue(%q) = %d, %v; DecodeRecord's weight %d", v, w1, err, w)
		}
		// Whatever was accepted encodes to a value that decodes the same.
		if w2, c2, err := DecodeRecord([]byte(EncodeRecord(w, c))); err != nil || w2 != w || c2 != c {
			t.Fatalf("round trip of %d, %d: %d, %d, %v", w, c, w2, c2, err)
		}
	})
}

// FuzzMemberAddrs feeds StartMember's address parsing: a client or peer
// host:port, and an initial cluster with the member's name.
func FuzzMemberAddrs(f *testing.F) {
	f.Add("127.0.0.1:2379", "a", "a=http://127.0.0.1:2380,b=http://127.0.0.1:2381")
	f.Add("[::1]:1", "b", "a=http://h:1,b=https://h:2")
	f.Add("no-port", "a", "a=http://127.0.0.1")
	f.Add("h:1/path?q", "a", "a=http://h:1,a=http://h:2")
	f.Add("h:1", "", "=http://h:1")
	f.Fuzz(func(t *testing.T, addr, name, initial string) {
		if addr != "" { // "" picks a free port: not a parse
			u, err := hostURL(addr, "client")
			if err != nil {
				if !errors.Is(err, ErrEmbedded) {
					t.Fatalf("hostURL(%q) err %v is not ErrEmbedded", addr, err)
				}
			} else if u.Scheme != "http" || u.Port() == "" || u.Path != "" {
				t.Fatalf("hostURL(%q) = %v: not http://host:port", addr, u.String())
			}
		}
		host, err := peerAddrOf(name, initial)
		if err != nil {
			if !errors.Is(err, ErrEmbedded) {
				t.Fatalf("peerAddrOf(%q, %q) err %v is not ErrEmbedded", name, initial, err)
			}
			return
		}
		if _, _, err := net.SplitHostPort(host); err != nil {
			t.Fatalf("peerAddrOf(%q, %q) = %q: %v", name, initial, host, err)
		}
	})
}
