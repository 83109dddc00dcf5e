package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// The services the provider implements.
const (
	helloService = "com.alibaba.dubbo.performance.demo.provider.IHelloService"
	echoService  = "com.dubbomesh.demo.EchoService"
	userService  = demo.Interface // userservice.go
)

// Exception classes the services throw. Read-only.
var (
	classIllegalState  = []byte("java.lang.IllegalStateException")
	errBadArgumentText = errors.New("provider: argument does not parse as its type")
)

// export is one service the provider exports: an interface it implements,
// under a version and a group, either of which may be empty (none). With
// the port, they make Dubbo's service key, group/interface:version:port.
type export struct {
	iface, version, group string
}

// exports is the --service flag's value: the services exported, in the
// order given. It is read-only once the flags are parsed.
type exports []export

// defaultExports are the services exported without --service: every
// implementation, with no version and no group.
var defaultExports = exports{{iface: helloService}, {iface: echoService}, {iface: userService}}

// exported returns the services s exports.
func (s *server) exported() exports {
	if s.cfg.services == nil {
		return defaultExports
	}
	return *s.cfg.services
}

// serviceFlag is the flag.Value of --service: each use adds a service to
// cfg.services, which stays nil (the defaults) when the flag is not given.
type serviceFlag struct{ cfg *config }

// serviceUsage is --service's help.
const serviceUsage = "a service to export, interface[:version[:group]] (repeatable; the interface is " +
	helloService + ", " + echoService + " or " + userService + "; default: all three, with no version or group)"

// String implements flag.Value.
func (f serviceFlag) String() string {
	if f.cfg == nil || f.cfg.services == nil {
		return ""
	}
	return f.cfg.services.String()
}

// Set implements flag.Value.
func (f serviceFlag) Set(v string) error {
	if f.cfg.services == nil {
		f.cfg.services = new(exports)
	}
	return f.cfg.services.Set(v)
}

// addrPort returns a's address and port, or the zero value for an address
// that is not TCP.
func addrPort(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.AddrPort()
	}
	return netip.AddrPort{}
}

// String implements flag.Value.
func (e *exports) String() string {
	var b []byte
	for i, x := range *e {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, x.iface...)
		if x.version != "" || x.group != "" {
			b = append(append(b, ':'), x.version...)
		}
		if x.group != "" {
			b = append(append(b, ':'), x.group...)
		}
	}
	return string(b)
}

// Set implements flag.Value: it adds one service, iface[:version[:group]],
// whose interface must be one the provider implements. A version of
// "0.0.0" is no version, as in Dubbo.
func (e *exports) Set(v string) error {
	x, err := parseExport(v)
	if err != nil {
		return err
	}
	for _, y := range *e {
		if y == x {
			return fmt.Errorf("%q is exported twice", v)
		}
	}
	*e = append(*e, x)
	return nil
}

// parseExport parses iface[:version[:group]].
func parseExport(v string) (export, error) {
	parts := strings.Split(v, ":")
	if len(parts) > 3 {
		return export{}, fmt.Errorf("%q is not interface[:version[:group]]", v)
	}
	x := export{iface: parts[0]}
	if len(parts) > 1 {
		x.version = parts[1]
	}
	if len(parts) > 2 {
		x.group = parts[2]
	}
	if x.version == "0.0.0" {
		x.version = ""
	}
	switch {
	case x.iface != helloService && x.iface != echoService && x.iface != userService:
		return export{}, fmt.Errorf("interface %q is not one the provider implements (%s, %s, %s)", x.iface, helloService, echoService, userService)
	case strings.ContainsFunc(x.version+x.group, func(r rune) bool { return r <= ' ' || r == '/' }):
		return export{}, fmt.Errorf("%q: a version or group holds a space, a control character or '/'", v)
	}
	return x, nil
}

// find reports whether e exports interface iface under the request's
// version (empty or "0.0.0": none) and group (empty: none).
func (e exports) find(iface, version, group []byte) bool {
	if string(version) == "0.0.0" {
		version = nil
	}
	for _, x := range e {
		if x.iface == string(iface) && x.version == string(version) && x.group == string(group) {
			return true
		}
	}
	return false
}

// implements reports whether e exports interface iface under any version
// or group: Dubbo then knows the interface's methods.
func (e exports) implements(iface []byte) bool {
	for _, x := range e {
		if x.iface == string(iface) {
			return true
		}
	}
	return false
}

// method is what a request resolves to.
type method uint8

const (
	methodMissing    method = iota // no such interface or method: status 40
	methodUnexported               // not under this version or group: status 70
	methodHash
	methodEcho
	methodNothing
	methodFail
	methodConcat
	methodSleep
)

// route resolves a request to a method of an exported service, as Dubbo 2.7
// does: the interface and method first (an interface exported under no
// version or group, or a method or descriptor it does not have, is
// methodMissing, which Dubbo refuses while decoding), then the service key,
// from the version and the "group" attachment (methodUnexported when no
// export matches). It does not allocate.
func route(r *dubbo.Request, e exports) method {
	if !e.implements(r.Interface) {
		return methodMissing
	}
	m := implMethod(r)
	if m == methodMissing {
		return m
	}
	if !e.find(r.Interface, r.Version, r.Group()) {
		return methodUnexported
	}
	return m
}

// implMethod resolves a request to a method of the implementations, or
// methodMissing.
func implMethod(r *dubbo.Request) method {
	name, types := string(r.Method), string(r.ParameterTypes)
	switch string(r.Interface) {
	case helloService:
		if name == "hash" && types == "Ljava/lang/String;" {
			return methodHash
		}
	case echoService:
		switch {
		case name == "echo" && echoType(types) != dubbo.TypeNull:
			return methodEcho
		case name == "nothing" && types == "":
			return methodNothing
		case name == "fail" && types == "Ljava/lang/String;":
			return methodFail
		case name == "concat" && types == "Ljava/lang/String;IJ":
			return methodConcat
		case name == "sleep" && types == "J":
			return methodSleep
		}
	}
	return methodMissing
}

// arity returns the number of arguments m takes.
func (m method) arity() int {
	switch m {
	case methodNothing, methodMissing, methodUnexported:
		return 0
	case methodConcat:
		return 3
	}
	return 1
}

// echoType returns the result type of echo for a one-argument descriptor, or
// TypeNull when echo does not take it.
func echoType(desc string) dubbo.ValueType {
	switch desc {
	case "Ljava/lang/String;":
		return dubbo.TypeString
	case "I", "Ljava/lang/Integer;":
		return dubbo.TypeInt
	case "J", "Ljava/lang/Long;":
		return dubbo.TypeLong
	case "Z", "Ljava/lang/Boolean;":
		return dubbo.TypeBool
	case "D", "Ljava/lang/Double;":
		return dubbo.TypeDouble
	}
	return dubbo.TypeNull
}

// invoke runs method m of a routed request: it sets cl's result (a value, or
// an exception) and returns how long the call takes. Results are copied into
// cl, so r's buffers may be reused afterwards. An argument that does not parse
// as its type returns errBadArgumentText. The race's hash does not allocate.
func invoke(m method, r *dubbo.Request, cl *call, latency time.Duration) (time.Duration, error) {
	res := &cl.res
	args := r.Args
	if len(args) != m.arity() {
		return 0, errBadArgumentText
	}
	switch m {
	case methodHash:
		res.Value = dubbo.Value{Type: dubbo.TypeInt, Int: int64(javahash.String(args[0]))}
	case methodEcho:
		v, err := parseValue(echoType(string(r.ParameterTypes)), args[0])
		if err != nil {
			return 0, err
		}
		if v.Type == dubbo.TypeString {
			cl.text = append(cl.text[:0], args[0]...)
			v.Bytes = cl.text
		}
		res.Value = v
	case methodNothing:
		res.Value = dubbo.Value{Type: dubbo.TypeNull}
	case methodFail:
		cl.text = append(cl.text[:0], args[0]...)
		res.Exception = true
		res.ExceptionClass = classIllegalState
		res.ErrorMessage = cl.text
	case methodConcat:
		if _, err := parseValue(dubbo.TypeInt, args[1]); err != nil {
			return 0, err
		}
		if _, err := parseValue(dubbo.TypeLong, args[2]); err != nil {
			return 0, err
		}
		t := append(cl.text[:0], args[0]...)
		t = append(t, ',')
		t = append(t, args[1]...)
		t = append(t, ',')
		t = append(t, args[2]...)
		cl.text = t
		res.Value = dubbo.Value{Type: dubbo.TypeString, Bytes: t}
	case methodSleep:
		v, err := parseValue(dubbo.TypeLong, args[0])
		if err != nil {
			return 0, err
		}
		res.Value = v
		latency = time.Duration(min(max(v.Int, 0), int64(24*time.Hour/time.Millisecond))) * time.Millisecond
	}
	return latency, nil
}

// parseValue parses the textual form of an argument of type t.
func parseValue(t dubbo.ValueType, b []byte) (dubbo.Value, error) {
	v := dubbo.Value{Type: t}
	var err error
	switch t {
	case dubbo.TypeString:
		v.Bytes = b
	case dubbo.TypeInt:
		v.Int, err = strconv.ParseInt(string(b), 10, 32)
	case dubbo.TypeLong:
		v.Int, err = strconv.ParseInt(string(b), 10, 64)
	case dubbo.TypeBool:
		switch string(b) {
		case "true":
			v.Int = 1
		case "false":
		default:
			err = errBadArgumentText
		}
	case dubbo.TypeDouble:
		v.Float, err = strconv.ParseFloat(string(b), 64)
	}
	if err != nil {
		return dubbo.Value{}, errBadArgumentText
	}
	return v, nil
}

// serviceKey appends Dubbo's service key, group/interface:version:port
// (no group, version or "0.0.0" leaves its part out), to dst.
func serviceKey[T string | []byte](dst []byte, iface, version, group T, port int) []byte {
	if len(group) > 0 {
		dst = append(append(dst, group...), '/')
	}
	dst = append(dst, iface...)
	if len(version) > 0 && string(version) != "0.0.0" {
		dst = append(append(dst, ':'), version...)
	}
	dst = append(dst, ':')
	return strconv.AppendInt(dst, int64(port), 10)
}

// notExportedMessage appends to dst the status 70 message for r, as Dubbo
// 2.7's DubboProtocol.getInvoker words it (a RemotingException, written
// with its stack trace, of which the first frame is kept): the service key
// asked for, the keys exported, and the channel's two ends.
func notExportedMessage(dst []byte, r *dubbo.Request, e exports, local, remote netip.AddrPort) []byte {
	port := int(local.Port())
	dst = append(dst, "org.apache.dubbo.remoting.RemotingException: Not found exported service: "...)
	dst = serviceKey(dst, r.Interface, r.Version, r.Group(), port)
	dst = append(dst, " in ["...)
	for i, x := range e {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = serviceKey(dst, x.iface, x.version, x.group, port)
	}
	dst = append(dst, "], may be version or group mismatch , channel: consumer: /"...)
	dst = remote.AppendTo(dst)
	dst = append(dst, " --> provider: /"...)
	dst = local.AppendTo(dst)
	dst = append(dst, ", message:RpcInvocation [methodName="...)
	dst = append(dst, r.Method...)
	dst = append(dst, "]\n\tat org.apache.dubbo.rpc.protocol.dubbo.DubboProtocol.getInvoker(DubboProtocol.java:266)"...)
	return dst
}

// noMethodMessage appends to dst the status 40 message for r, as Dubbo
// 2.7's DecodeableRpcInvocation words it for an interface or method it does
// not know, with the first frame of the stack trace.
func noMethodMessage(dst []byte, r *dubbo.Request) []byte {
	dst = append(dst, "Fail to decode request due to: java.lang.IllegalArgumentException: Service not found:"...)
	dst = append(dst, r.Interface...)
	dst = append(dst, ", "...)
	dst = append(dst, r.Method...)
	dst = append(dst, "\n\tat org.apache.dubbo.rpc.protocol.dubbo.DecodeableRpcInvocation.decode(DecodeableRpcInvocation.java:156)"...)
	return dst
}
