package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dubbomesh/dubbomesh/bench/demo"
	"github.com/dubbomesh/dubbomesh/internal/javahash"
	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// The UserService, com.dubbomesh.demo.UserService, is shaped like a real
// Java service: a POJO (User) with a nested POJO (Address), a list, a map,
// an enum (Role), a Date, a BigDecimal and an int[], in and out. Its
// methods, with the same names, descriptors and answers as the Java
// provider of the end-to-end tests (internal/e2e/testdata/java,
// UserServiceImpl):
//
//	User getUser(long id)                  bench/demo's formula
//	User echo(User u)                      u as it was read
//	User create(String name, Role role)    getUser(floorMod(name.hashCode(), 1000)) with name and role
//	Role roleOf(long id)                   ADMIN, MEMBER, GUEST for floorMod(id, 3) = 0, 1, 2
//	List<User> find(Map<String,Object> q)  users 1..100 whose role is q's "role" (a name, a Role or a
//	                                       map with name), at most q's "limit" (default 3, 0 to 100)
//	Map<String,User> byName(List<String>)  name -> create(name, MEMBER), in a HashMap
//	Date shift(Date d, long millis)        d + millis
//	BigDecimal add(BigDecimal a, b)        a + b, exact
//	int sum(int[] xs)                      the sum, with int overflow
//	String[] split(String s)               s.split(",")
//	int count()                            100
//	void touch(User u)                     null
//	User failing(long id)                  throws IllegalArgumentException("user <id> is locked")
//
// Arguments are read as Dubbo reads them, into the declared types
// (hessianin.go), and results written as Java's Hessian writes them
// (hessianout.go). A null argument where Java would dereference it throws
// NullPointerException, a list element of the wrong class
// ClassCastException, as in Java; an argument that does not read as its
// type is a bad request (status 40), as in Dubbo with the Java provider's
// --strict-args (plain Dubbo calls the method with null there instead, see
// docs/JAVA.md). The service speaks hessian2 only, and is exported as
// --service says, like the others.
//
// getUser is the benchmark's call: its encoded answers are cached per id,
// so it reads the request and writes the answer without allocating.

// userMethod is one method of the UserService.
type userMethod struct {
	name, desc string
	args       []kind
	// call runs the method on its arguments, read as args says; it
	// returns the Java result, or the *javaException the method threw
	// (the only error it returns). getUser has none: invokeUser serves it.
	call func(args []any) (any, error)
}

// javaException is an exception a method throws: a result, not a failure
// of the call.
type javaException struct {
	class []byte // read-only package data
	msg   string
}

func (e *javaException) Error() string { return string(e.class) + ": " + e.msg }

// Exception classes the UserService throws. Read-only.
var (
	classIllegalArgument = []byte("java.lang.IllegalArgumentException")
	classNullPointer     = []byte("java.lang.NullPointerException")
	classClassCast       = []byte("java.lang.ClassCastException")
	classArithmetic      = []byte("java.lang.ArithmeticException")
)

func nullPointer(what string) error {
	return &javaException{class: classNullPointer, msg: "Cannot invoke \"" + what + "\" because the argument is null"}
}

// getUserMethod is the benchmark's method, served without allocating.
var getUserMethod = &userMethod{name: "getUser", desc: "J"}

// userMethods are the UserService's methods.
var userMethods = []*userMethod{
	getUserMethod,
	{name: "echo", desc: demo.UserDescriptor, args: []kind{kUser}, call: func(a []any) (any, error) { return a[0], nil }},
	{name: "create", desc: "Ljava/lang/String;Lcom/dubbomesh/demo/Role;", args: []kind{kString, kRole}, call: callCreate},
	{name: "roleOf", desc: "J", args: []kind{kLong}, call: func(a []any) (any, error) {
		return roles[demo.RoleOf(a[0].(int64))], nil
	}},
	{name: "find", desc: "Ljava/util/Map;", args: []kind{kMap}, call: callFind},
	{name: "byName", desc: "Ljava/util/List;", args: []kind{kList}, call: callByName},
	{name: "shift", desc: "Ljava/util/Date;J", args: []kind{kDate, kLong}, call: func(a []any) (any, error) {
		d, ok := a[0].(date)
		if !ok {
			return nil, nullPointer("java.util.Date.getTime()")
		}
		return d + date(a[1].(int64)), nil
	}},
	{name: "add", desc: "Ljava/math/BigDecimal;Ljava/math/BigDecimal;", args: []kind{kDecimal, kDecimal}, call: callAdd},
	{name: "sum", desc: "[I", args: []kind{kIntArray}, call: callSum},
	{name: "split", desc: "Ljava/lang/String;", args: []kind{kString}, call: callSplit},
	{name: "count", desc: "", call: func([]any) (any, error) { return int32(demo.Users), nil }},
	{name: "touch", desc: demo.UserDescriptor, args: []kind{kUser}, call: func([]any) (any, error) { return nil, nil }},
	{name: "failing", desc: "J", args: []kind{kLong}, call: func(a []any) (any, error) {
		return nil, &javaException{class: classIllegalArgument, msg: fmt.Sprintf("user %d is locked", a[0].(int64))}
	}},
}

// userPath is the service's path as a compact hessian2 string: the form
// every encoder writes a string of 30 ASCII characters in.
var userPath = append([]byte{byte(len(demo.Interface))}, demo.Interface...)

// isUserCall reports whether a hessian2 request body calls the UserService:
// whether its second value, the path, is the service's name. It reads the
// first value (the dubbo version) without allocating.
func isUserCall(body []byte) bool {
	d := hin{b: body}
	if len(body) > 0 && body[0] == 'N' {
		d.pos = 1
	} else if _, err := d.rawString(); err != nil {
		return false
	}
	return len(body)-d.pos >= len(userPath) && string(body[d.pos:d.pos+len(userPath)]) == string(userPath)
}

// readUserHeader reads a request's dubbo version, path, service version,
// method and descriptor into r (the slices alias d's bytes) and returns the
// method they name, or nil when the service has none of that name and
// descriptor.
func readUserHeader(d *hin, r *dubbo.Request) (*userMethod, error) {
	var fields [5][]byte
	for i := range fields {
		if d.pos < len(d.b) && d.b[d.pos] == 'N' && (i == 0 || i == 2) {
			d.pos++
			continue
		}
		var err error
		if fields[i], err = d.rawString(); err != nil {
			return nil, fmt.Errorf("request field %d: %w", i+1, err)
		}
	}
	r.Interface, r.Version, r.Method, r.ParameterTypes = fields[1], fields[2], fields[3], fields[4]
	for _, m := range userMethods {
		if string(r.Method) == m.name && string(r.ParameterTypes) == m.desc {
			return m, nil
		}
	}
	return nil, nil
}

// handleUser handles a UserService request (isUserCall) in the order
// Dubbo 2.7 does, with handle's answers: the header, then the method (an
// interface not exported, or a method or descriptor it does not have:
// status 40), the arguments (a value that does not read as its type: 40)
// and the attachments; then a provider shutting down (80), the version and
// "group" attachment (not exported: 70) and a free thread (100). A call
// that runs keeps its answer until the scheduler completes it.
func (c *conn) handleUser(h dubbo.Header, body []byte, now int64) {
	s := c.s
	d := hin{b: body}
	req := &c.req
	req.Attachments = req.Attachments[:0]
	exps := s.exported()
	m, err := readUserHeader(&d, req)
	if err == nil && (m == nil || !exps.implements(req.Interface)) {
		c.refuse(h, dubbo.StatusBadRequest, func(b []byte) []byte { return noMethodMessage(b, req) })
		return
	}
	var (
		args []any
		id   int64
	)
	if err == nil {
		args, id, err = readUserArgs(m, &d)
	}
	if err == nil {
		err = readAttachments(&d, req)
	}
	switch {
	case err != nil:
		c.refuse(h, dubbo.StatusBadRequest, func(b []byte) []byte {
			return append(append(b, "Fail to decode request due to: "...), err.Error()...)
		})
		return
	case s.refusing.Load():
		c.refuse(h, dubbo.StatusServerError, func(b []byte) []byte { return append(b, s.shuttingDown...) })
		return
	case !exps.find(req.Interface, req.Version, req.Group()):
		c.refuse(h, dubbo.StatusServiceError, func(b []byte) []byte {
			return notExportedMessage(b, req, exps, addrPort(c.nc.LocalAddr()), addrPort(c.nc.RemoteAddr()))
		})
		return
	case !s.lim.acquire():
		c.refuse(h, dubbo.StatusThreadpoolExhausted, func(b []byte) []byte { return append(b, *s.exhausted.Load()...) })
		return
	}
	cl := c.immediate(h.ID, h.Serialization(), dubbo.StatusOK)
	invokeUser(m, args, id, cl)
	cl.conn = c
	cl.twoWay = h.IsTwoWay()
	cl.due = s.lim.start(now) + s.latency.Load()
	s.sched.add(cl)
}

// refuse answers request h at once, if it is two-way, with status st and
// the error message msg appends.
func (c *conn) refuse(h dubbo.Header, st dubbo.Status, msg func([]byte) []byte) {
	if h.IsTwoWay() {
		cl := c.immediate(h.ID, h.Serialization(), st)
		cl.text = msg(cl.text[:0])
		c.replyWith(cl)
	}
}

// readUserArgs reads m's arguments, each as its declared kind. getUser's
// id is returned on its own (args is nil), so that reading it does not
// allocate.
func readUserArgs(m *userMethod, d *hin) (args []any, id int64, err error) {
	if m == getUserMethod {
		if id, err = d.readLong(); err != nil {
			return nil, 0, fmt.Errorf("argument 1: %w", err)
		}
		return nil, id, nil
	}
	args = make([]any, len(m.args))
	for i, k := range m.args {
		if args[i], err = d.read(k); err != nil {
			return nil, 0, fmt.Errorf("argument %d: %w", i+1, err)
		}
	}
	return args, 0, nil
}

// readAttachments reads the attachments map after the arguments, if any,
// into r.Attachments: every entry whose key and value are strings, but for
// path, interface, version and timeout, as dubbo.ParseRequest gives them.
// Entries of strings are read without allocating.
func readAttachments(d *hin, r *dubbo.Request) error {
	if d.pos == len(d.b) {
		return nil
	}
	switch d.b[d.pos] {
	case 'N':
		d.pos++
		return nil
	case 'H':
		d.pos++
	case 'M':
		d.pos++
		if _, err := d.typeName(); err != nil {
			return err
		}
	default:
		return d.errorf("attachments are not a map")
	}
	for {
		if d.pos >= len(d.b) {
			return d.truncated()
		}
		if d.b[d.pos] == 'Z' {
			d.pos++
			return nil
		}
		key, kerr := d.rawString()
		if kerr != nil && kerr != errNotString {
			return kerr
		}
		if kerr == errNotString {
			if _, err := d.untyped(); err != nil {
				return err
			}
		}
		val, verr := d.rawString()
		if verr != nil && verr != errNotString {
			return verr
		}
		if verr == errNotString {
			if _, err := d.untyped(); err != nil {
				return err
			}
		}
		switch {
		case kerr != nil || verr != nil:
		case string(key) == "path", string(key) == "interface", string(key) == "version", string(key) == "timeout":
		default:
			r.Attachments = append(r.Attachments, dubbo.Attachment{Key: key, Value: val})
		}
	}
}

// invokeUser runs m on args (getUser on id) and sets cl's answer: an
// exception, a null or an int in cl.res, any other result as a whole frame
// in cl.frame. getUser copies its cached answer and allocates nothing.
func invokeUser(m *userMethod, args []any, id int64, cl *call) {
	if m == getUserMethod {
		cl.frame = appendUserFrame(cl.frame[:0], &cl.res, cachedUser(id))
		return
	}
	result, err := m.call(args)
	if e, ok := err.(*javaException); ok {
		cl.res.Exception = true
		cl.res.ExceptionClass = e.class
		cl.text = append(cl.text[:0], e.msg...)
		cl.res.ErrorMessage = cl.text
		return
	}
	switch v := result.(type) {
	case nil:
		cl.res.Value = dubbo.Value{Type: dubbo.TypeNull}
	case int32:
		cl.res.Value = dubbo.Value{Type: dubbo.TypeInt, Int: int64(v)}
	default:
		w := acquireHout()
		w.value(v)
		cl.frame = appendUserFrame(cl.frame[:0], &cl.res, w.b)
		releaseHout(w)
	}
}

// respAttachments is the attachments map a provider adds to its answers
// (flags 3 to 5): {"dubbo": "2.0.2"}, a HashMap.
var respAttachments = []byte("H\x05dubbo\x052.0.2Z")

// appendUserFrame appends the whole response frame for r (its id and
// attachments choice) whose result is value, hessian2 bytes, and returns
// the extended slice.
func appendUserFrame(dst []byte, r *dubbo.Response, value []byte) []byte {
	flag := byte(0x91) // int 1: a value
	n := 1 + len(value)
	if r.WithAttachments {
		flag = 0x94 // int 4: a value, then attachments
		n += len(respAttachments)
	}
	at := len(dst)
	dst = slices.Grow(dst, dubbo.HeaderSize+n)[:at+dubbo.HeaderSize]
	dubbo.PutHeader(dst[at:], dubbo.Header{Flag: byte(dubbo.Hessian2), Status: dubbo.StatusOK, ID: r.ID, Length: n})
	dst = append(append(dst, flag), value...)
	if r.WithAttachments {
		dst = append(dst, respAttachments...)
	}
	return dst
}

// userCache holds encoded getUser answers, direct-mapped by id: each slot
// the last id that used it. Entries are immutable once stored, so readers
// need no lock.
var userCache [4096]atomic.Pointer[cachedAnswer]

type cachedAnswer struct {
	id  int64
	enc []byte
}

// cachedUser returns getUser(id) in hessian2, encoding it on a miss. The
// slice is shared and must not be modified.
func cachedUser(id int64) []byte {
	slot := &userCache[uint64(id)%uint64(len(userCache))]
	if a := slot.Load(); a != nil && a.id == id {
		return a.enc
	}
	u := demo.GetUser(id)
	w := acquireHout()
	w.value(userValue(&u))
	a := &cachedAnswer{id: id, enc: slices.Clone(w.b)}
	releaseHout(w)
	slot.Store(a)
	return a.enc
}

// newUser returns create(name, role): getUser(floorMod(name.hashCode(),
// 1000)) with that name and role.
func newUser(name string, role any) *object {
	id := int64(javahash.String([]byte(name))) % 1000
	if id < 0 {
		id += 1000
	}
	u := demo.GetUser(id)
	o := userValue(&u)
	o.fields[1], o.fields[2] = name, role
	return o
}

func callCreate(a []any) (any, error) {
	name, ok := a[0].(string)
	if !ok {
		return nil, nullPointer("String.hashCode()")
	}
	return newUser(name, a[1]), nil
}

func callFind(a []any) (any, error) {
	limit, role, byRole := int32(3), "", false
	if q, ok := a[0].(*hmap); ok {
		switch l := q.get("limit").(type) {
		case int32:
			limit = l
		case int64:
			limit = int32(l)
		case float64:
			limit = javaInt(l)
		}
		limit = min(max(limit, 0), demo.Users)
		switch r := q.get("role").(type) {
		case nil:
		case *object:
			role, byRole = javaString(r), true
		case *hmap:
			role, byRole = javaString(r.get("name")), true
		default:
			role, byRole = javaString(r), true
		}
	}
	out := &list{}
	for id := int64(1); id <= demo.Users && len(out.elems) < int(limit); id++ {
		u := demo.GetUser(id)
		if !byRole || u.Role.String() == role {
			out.elems = append(out.elems, userValue(&u))
		}
	}
	return out, nil
}

func callByName(a []any) (any, error) {
	names, ok := a[0].(*list)
	if !ok {
		return nil, nullPointer("java.util.List.iterator()")
	}
	out := &hmap{}
	for _, e := range names.elems {
		name, ok := e.(string)
		switch {
		case e == nil:
			return nil, nullPointer("String.hashCode()")
		case !ok:
			return nil, &javaException{class: classClassCast,
				msg: "class " + javaClassName(e) + " cannot be cast to class java.lang.String"}
		}
		out.put(name, newUser(name, roles[demo.Member]))
	}
	sortHashMap(out)
	return out, nil
}

func callAdd(a []any) (any, error) {
	x, ok1 := a[0].(*object)
	y, ok2 := a[1].(*object)
	if !ok1 || !ok2 {
		return nil, nullPointer("java.math.BigDecimal.add(java.math.BigDecimal)")
	}
	a0, _ := x.fields[0].(string) // hin checked both texts
	b0, _ := y.fields[0].(string)
	sum, err := addDecimals(a0, b0)
	if err != nil {
		return nil, &javaException{class: classArithmetic, msg: "Overflow"}
	}
	return decimalValue(sum), nil
}

func callSum(a []any) (any, error) {
	xs, ok := a[0].(*list)
	if !ok {
		return nil, nullPointer("Object.getClass()")
	}
	var s int32
	for _, x := range xs.elems {
		i, _ := x.(int32) // an int[] holds ints only
		s += i
	}
	return s, nil
}

// callSplit is s.split(","): the pieces between commas, trailing empty
// ones removed; s itself when it has no comma.
func callSplit(a []any) (any, error) {
	s, ok := a[0].(string)
	if !ok {
		return nil, nullPointer("String.split(String)")
	}
	out := &list{typ: "[string"}
	if !strings.Contains(s, ",") {
		out.elems = []any{s}
		return out, nil
	}
	parts := strings.Split(s, ",")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for _, p := range parts {
		out.elems = append(out.elems, p)
	}
	return out, nil
}

// javaString returns String.valueOf(v) for the values find compares with a
// role's name: text, numbers, booleans, an enum constant's name, a
// decimal's text, "null"; other values get a text no role has.
func javaString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case date:
		return time.UnixMilli(int64(v)).UTC().String()
	case *object:
		if v.class == roleClass || v.class == decimalClass {
			return v.fields[0].(string)
		}
	}
	return javaClassName(v) + "@"
}

// javaClassName returns the Java class of a value.
func javaClassName(v any) string {
	switch v := v.(type) {
	case string:
		return "java.lang.String"
	case int32:
		return "java.lang.Integer"
	case int64:
		return "java.lang.Long"
	case bool:
		return "java.lang.Boolean"
	case float64:
		return "java.lang.Double"
	case date:
		return "java.util.Date"
	case []byte:
		return "[B"
	case *object:
		return v.class.name
	case *list:
		if v.typ == "" {
			return "java.util.ArrayList"
		}
		return v.typ
	case *hmap:
		if v.typ == "" {
			return "java.util.HashMap"
		}
		return v.typ
	}
	return "java.lang.Object"
}
