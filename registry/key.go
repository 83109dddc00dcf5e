package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/dubbomesh/dubbomesh/internal/logging"
)

// Prefix is the etcd key prefix under which every provider agent registers.
const Prefix = "/dubbomesh/"

// DefaultTTL is the lease TTL in seconds that provider agents register with.
const DefaultTTL = 10

// MaxWeight is the largest weight a registration may carry. It keeps the
// balancer's integer arithmetic far from overflow and its cycle short;
// weights are ratios, and the race's best hand fit (112:200:200) fits well
// within it.
const MaxWeight = 1000

// MaxCapacity is the largest capacity a registration may carry: more calls
// than any one provider agent holds at once (its call tables hold 8192 per
// loop by default).
const MaxCapacity = 1 << 20

// maxValueLen bounds the value that DecodeValue will look at: a weight
// record is a dozen bytes, so anything much longer is not one.
const maxValueLen = 1024

// Errors returned for keys, values and endpoints that break the format.
var (
	ErrBadKey    = errors.New("registry: bad key")
	ErrBadValue  = errors.New("registry: bad value")
	ErrBadWeight = errors.New("registry: weight out of range [1, 1000]")
	// ErrBadCapacity: a capacity that is not an integer in [0, MaxCapacity].
	ErrBadCapacity = errors.New("registry: capacity out of range [0, 1048576]")
	ErrBadEndpoint = errors.New("registry: bad endpoint")
)

// Endpoint is one provider agent serving one interface.
type Endpoint struct {
	Interface string // e.g. com.alibaba.dubbo.performance.demo.provider.IHelloService
	Addr      string // host:port of the provider agent
	Weight    int    // in [1, MaxWeight]
	// Capacity is the calls the provider agent takes at once without
	// making them wait (its --max-provider-calls), in [0, MaxCapacity];
	// 0 means not said: an older agent, or one with no bound.
	Capacity int
	// TLS says the agent accepts only mutual TLS ("tls":true in the
	// value): consumer agents dial it with TLS, and one without TLS
	// material does not dial it at all.
	TLS bool
}

// Key returns the etcd key for a provider agent at addr serving iface:
// "/dubbomesh/<iface>/<addr>". It does not validate its arguments; see
// Endpoint validation in Register and ParseKey.
func Key(iface, addr string) string {
	return Prefix + iface + "/" + addr
}

// ParseKey splits a key made by Key back into interface and address.
// Interface names contain dots but never '/', so the interface ends at the
// first '/' after Prefix. It returns ErrBadKey (wrapped, with the reason)
// unless the key has Prefix, a non-empty interface and a host:port address
// with a non-empty port.
func ParseKey(key string) (iface, addr string, err error) {
	rest, ok := strings.CutPrefix(key, Prefix)
	if !ok {
		return "", "", keyError("missing prefix "+Prefix, key)
	}
	iface, addr, ok = strings.Cut(rest, "/")
	if !ok || iface == "" {
		return "", "", keyError("no interface", key)
	}
	if err := checkAddr(addr); err != nil {
		return "", "", keyError(err.Error(), key)
	}
	return iface, addr, nil
}

// checkAddr reports whether addr is a host:port usable as a dial target and
// as the last key segment.
func checkAddr(addr string) error {
	if strings.ContainsRune(addr, '/') {
		return errors.New("address contains '/'")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("address is not host:port")
	}
	if host == "" || port == "" {
		return errors.New("address lacks host or port")
	}
	return nil
}

func keyError(why, key string) error {
	return &formatError{base: ErrBadKey, why: why + ": " + strconv.Quote(logging.Clip(key, 200))}
}

// formatError wraps a sentinel error with a reason.
type formatError struct {
	base error
	why  string
}

func (e *formatError) Error() string { return e.base.Error() + ": " + e.why }
func (e *formatError) Unwrap() error { return e.base }

// EncodeValue returns the value a provider agent of the given weight
// registers, {"weight":3}, with no capacity; see Value.
func EncodeValue(weight int) string { return Value{Weight: weight}.String() }

// EncodeRecord returns the value a provider agent registers:
// {"weight":3,"capacity":200}, or {"weight":3} when capacity is 0 (not
// said); see Value for "tls".
func EncodeRecord(weight, capacity int) string {
	return Value{Weight: weight, Capacity: capacity}.String()
}

// Value is what a registration's value says of its provider agent.
type Value struct {
	Weight   int  // in [1, MaxWeight]
	Capacity int  // in [0, MaxCapacity]; 0: not said
	TLS      bool // the agent accepts only mutual TLS
}

// String encodes v as registered: {"weight":3}, with ,"capacity":200 when
// Capacity is not 0 and ,"tls":true for an agent that accepts only mutual
// TLS (each left out otherwise, so agents that say neither write what
// agents always wrote).
func (v Value) String() string {
	s := `{"weight":` + strconv.Itoa(v.Weight)
	if v.Capacity > 0 {
		s += `,"capacity":` + strconv.Itoa(v.Capacity)
	}
	if v.TLS {
		s += `,"tls":true`
	}
	return s + `}`
}

// DecodeValue returns the weight in a registered value; see ParseValue.
func DecodeValue(v []byte) (weight int, err error) {
	val, err := ParseValue(v)
	return val.Weight, err
}

// DecodeRecord returns the weight and the capacity in a registered value;
// see ParseValue.
func DecodeRecord(v []byte) (weight, capacity int, err error) {
	val, err := ParseValue(v)
	return val.Weight, val.Capacity, err
}

// ParseValue decodes a registered value. An empty value, as older agents
// wrote, and an object without a "weight" member mean weight 1; a value
// without "capacity", as agents before it wrote, means capacity 0 (not
// said); without "tls", TLS is false. Unknown members are ignored. Anything
// else that is not a JSON object whose "weight" is an integer in [1,
// MaxWeight], whose "capacity", if present, is an integer in [0,
// MaxCapacity] and whose "tls", if present, is true or false is an error:
// ErrBadValue for malformed values, ErrBadWeight or ErrBadCapacity for a
// number out of range. ParseValue does not retain v.
func ParseValue(v []byte) (Value, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return Value{Weight: 1}, nil
	}
	if len(v) > maxValueLen {
		return Value{}, &formatError{base: ErrBadValue, why: "longer than " + strconv.Itoa(maxValueLen) + " bytes"}
	}
	if v[0] != '{' {
		return Value{}, &formatError{base: ErrBadValue, why: "not a JSON object"}
	}
	var rec struct {
		Weight   json.RawMessage `json:"weight"`
		Capacity json.RawMessage `json:"capacity"`
		TLS      *bool           `json:"tls"`
	}
	if err := json.Unmarshal(v, &rec); err != nil {
		return Value{}, &formatError{base: ErrBadValue, why: err.Error()}
	}
	val := Value{Weight: 1, TLS: rec.TLS != nil && *rec.TLS}
	var err error
	if rec.Weight != nil {
		if val.Weight, err = decodeInt("weight", rec.Weight, 1, MaxWeight, ErrBadWeight); err != nil {
			return Value{}, err
		}
	}
	if rec.Capacity != nil {
		if val.Capacity, err = decodeInt("capacity", rec.Capacity, 0, MaxCapacity, ErrBadCapacity); err != nil {
			return Value{}, err
		}
	}
	return val, nil
}

// decodeInt decodes member name's raw JSON as an integer in [lo, hi]:
// ErrBadValue for anything but a plain integer (null, a string, a fraction
// or an exponent), rangeErr for one out of range.
func decodeInt(name string, raw json.RawMessage, lo, hi int64, rangeErr error) (int, error) {
	// RawMessage holds valid JSON here.
	r := string(raw)
	if strings.ContainsAny(r, ".eE") || (r[0] != '-' && (r[0] < '0' || r[0] > '9')) {
		return 0, &formatError{base: ErrBadValue, why: name + " is not an integer: " + strconv.Quote(logging.Clip(r, 32))}
	}
	n, err := strconv.ParseInt(r, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, &formatError{base: rangeErr, why: name + " " + logging.Clip(r, 32)}
	}
	return int(n), nil
}

// validate reports whether ep can be registered.
func (ep Endpoint) validate() error {
	switch {
	case ep.Interface == "" || strings.ContainsRune(ep.Interface, '/'):
		return &formatError{base: ErrBadEndpoint, why: "interface " + strconv.Quote(ep.Interface)}
	case ep.Weight < 1 || ep.Weight > MaxWeight:
		return &formatError{base: ErrBadWeight, why: "weight " + strconv.Itoa(ep.Weight)}
	case ep.Capacity < 0 || ep.Capacity > MaxCapacity:
		return &formatError{base: ErrBadCapacity, why: "capacity " + strconv.Itoa(ep.Capacity)}
	}
	if err := checkAddr(ep.Addr); err != nil {
		return &formatError{base: ErrBadEndpoint, why: err.Error() + ": " + strconv.Quote(ep.Addr)}
	}
	return nil
}

// value returns the value ep registers: its weight, capacity and TLS.
func (ep Endpoint) value() string {
	return Value{Weight: ep.Weight, Capacity: ep.Capacity, TLS: ep.TLS}.String()
}
