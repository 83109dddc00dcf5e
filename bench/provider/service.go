package main

import (
	"errors"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"strconv"
	"time"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// The exported services.
const (
	helloService = "com.alibaba.dubbo.performance.demo.provider.IHelloService"
	echoService  = "com.dubbomesh.demo.EchoService"
)

// exportedList names the services in SERVICE_NOT_FOUND messages, as Dubbo
// lists its exporters.
const exportedList = "[" + helloService + ", " + echoService + "]"

// Exception classes the services throw. Read-only.
var (
	classIllegalState  = []byte("java.lang.IllegalStateException")
	classNoSuchMethod  = []byte("java.lang.NoSuchMethodException")
	errBadArgumentText = errors.New("provider: argument does not parse as its type")
)

// method is what a request resolves to.
type method uint8

const (
	methodNoService method = iota // unknown interface or version: status 60
	methodMissing                 // known interface, unknown method or descriptor
	methodHash
	methodEcho
	methodNothing
	methodFail
	methodConcat
	methodSleep
)

// route resolves a request to a method. It does not allocate. The services
// are exported without a version, so a request naming one other than "0.0.0"
// finds no service, as in Dubbo.
func route(r *dubbo.Request) method {
	if v := string(r.Version); v != "" && v != "0.0.0" {
		return methodNoService
	}
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
	default:
		return methodNoService
	}
	return methodMissing
}

// arity returns the number of arguments m takes.
func (m method) arity() int {
	switch m {
	case methodNothing, methodNoService, methodMissing:
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

// noServiceMessage appends the SERVICE_NOT_FOUND message for r to dst.
func noServiceMessage(dst []byte, r *dubbo.Request) []byte {
	dst = append(dst, "Not found exported service: "...)
	dst = append(dst, r.Interface...)
	if len(r.Version) > 0 {
		dst = append(dst, ':')
		dst = append(dst, r.Version...)
	}
	dst = append(dst, " in "+exportedList+", may be version or group mismatch"...)
	return dst
}

// noMethodMessage appends the NoSuchMethodException message for r to dst, in
// the form of Java's Class.getMethod: interface.method(descriptor).
func noMethodMessage(dst []byte, r *dubbo.Request) []byte {
	dst = append(dst, r.Interface...)
	dst = append(dst, '.')
	dst = append(dst, r.Method...)
	dst = append(dst, '(')
	dst = append(dst, r.ParameterTypes...)
	dst = append(dst, ')')
	return dst
}
