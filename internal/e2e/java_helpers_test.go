package e2e

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hessian "github.com/apache/dubbo-go-hessian2"

	"github.com/dubbomesh/dubbomesh/protocol/dubbo"
)

// The Java provider (testdata/java) is compiled once per test binary, into
// binDir, on the first test that starts it.
var javaBuild struct {
	once    sync.Once
	classes string // compiled classes, with META-INF/hessian beside them
	jar     string // Caucho Hessian
	missing string // why Java cannot run here, if it cannot
	err     error  // a failed compilation
}

// hessianJar finds Caucho Hessian: $DUBBOMESH_HESSIAN_JAR, else where
// Debian's libhessian-java puts it.
func hessianJar() string {
	if j := os.Getenv("DUBBOMESH_HESSIAN_JAR"); j != "" {
		return j
	}
	return "/usr/share/java/hessian.jar"
}

// buildJavaProvider compiles testdata/java with javac --release 17 against
// the Hessian jar.
func buildJavaProvider() {
	b := &javaBuild
	for _, tool := range []string{"javac", "java"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.missing = tool + " not found (apt-get install default-jdk-headless)"
			return
		}
	}
	b.jar = hessianJar()
	if _, err := os.Stat(b.jar); err != nil {
		b.missing = "Caucho Hessian not found at " + b.jar + " (apt-get install libhessian-java, or set DUBBOMESH_HESSIAN_JAR)"
		return
	}
	src, err := filepath.Abs(filepath.Join("testdata", "java"))
	if err != nil {
		b.err = err
		return
	}
	var sources []string
	err = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".java") {
			sources = append(sources, path)
		}
		return err
	})
	if err != nil {
		b.err = err
		return
	}
	b.classes = filepath.Join(binDir, "java-provider")
	args := append([]string{"--release", "17", "-nowarn", "-encoding", "UTF-8", "-cp", b.jar, "-d", b.classes}, sources...)
	if out, err := exec.Command("javac", args...).CombinedOutput(); err != nil {
		b.err = fmt.Errorf("javac: %v\n%s", err, out)
		return
	}
	// The two entries that make Caucho Hessian write BigDecimal as
	// {value: "..."}, as Dubbo's hessian-lite does (docs/JAVA.md).
	for _, name := range []string{"serializers", "deserializers"} {
		data, err := os.ReadFile(filepath.Join(src, "META-INF", "hessian", name))
		if err == nil {
			err = os.MkdirAll(filepath.Join(b.classes, "META-INF", "hessian"), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(b.classes, "META-INF", "hessian", name), data, 0o644)
		}
		if err != nil {
			b.err = err
			return
		}
	}
}

// needJava compiles the Java provider if needed and returns its classpath.
// Without Java the test is skipped, or fails when $CI is set: CI installs
// Java (.ci/run) so that this test always runs there.
func needJava(t *testing.T) string {
	t.Helper()
	javaBuild.once.Do(buildJavaProvider)
	if javaBuild.missing != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("Java provider: %s; CI must run the Java tests", javaBuild.missing)
		}
		t.Skipf("Java provider: %s", javaBuild.missing)
	}
	if javaBuild.err != nil {
		t.Fatal(javaBuild.err)
	}
	return javaBuild.jar + string(os.PathListSeparator) + javaBuild.classes
}

// startJavaProvider starts the Java Dubbo provider of testdata/java on a
// free loopback port and returns its address. It exports IHelloService,
// UserService, and UserService in group "gray" at version "1.0.0". Extra
// arguments go to its Main: "--strict-args" makes an argument Hessian
// refuses fail the call with status 40 instead of arriving as null. The
// process stops when the test ends (its stdin closes; it is killed if it
// lingers); its output is logged if the test failed.
func startJavaProvider(t *testing.T, args ...string) string {
	t.Helper()
	cp := needJava(t)
	logPath := filepath.Join(t.TempDir(), "java-provider.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	// Caucho Hessian reads the private fields of JDK classes (Throwable,
	// StackTraceElement, BigInteger) by reflection, which Java 17 allows
	// only where the module is opened.
	cmdArgs := []string{"-XX:+UseSerialGC",
		"--add-opens", "java.base/java.lang=ALL-UNNAMED",
		"--add-opens", "java.base/java.math=ALL-UNNAMED",
		"--add-opens", "java.base/java.util=ALL-UNNAMED",
		"-cp", cp, "com.dubbomesh.javaprovider.Main", "0"}
	cmd := exec.Command("java", append(cmdArgs, args...)...)
	cmd.Stderr = logFile
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		logFile.Close()
		close(done)
	}()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- java provider log (exit: %v) ---\n%s", waitErr, b)
		}
	})

	// The first line of stdout is the port; the rest goes to the log.
	portc := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, err := r.ReadString('\n')
		if err != nil {
			line = ""
		}
		portc <- strings.TrimSpace(line)
		io.Copy(io.Discard, r)
	}()
	select {
	case p := <-portc:
		if _, err := strconv.Atoi(p); err != nil {
			<-done
			b, _ := os.ReadFile(logPath)
			t.Fatalf("Java provider did not print its port (got %q, exit %v):\n%s", p, waitErr, b)
		}
		return "127.0.0.1:" + p
	case <-time.After(30 * time.Second):
		t.Fatal("Java provider did not start within 30s")
		return ""
	}
}

// What follows speaks Dubbo 2 to the Java provider directly: frames through
// protocol/dubbo's header, bodies through dubbo-go-hessian2, and hessian
// values written by hand (hw) where a probe needs exact tags.

// hw writes hessian2 values for a request body. Scalars, strings, binary
// and untyped Go maps go through dubbo-go-hessian2's encoder; maps, typed
// objects and lists whose tags a probe chooses are written here. Class
// definitions are numbered per body, so one hw writes a whole body.
type hw struct {
	b       []byte
	classes []string // "class|field,field" by definition index
}

// hval is a value hw writes: a func(*hw) writes itself; anything else goes
// through dubbo-go-hessian2's Encode.
type hval = any

func (w *hw) put(v hval) {
	if f, ok := v.(func(*hw)); ok {
		f(w)
		return
	}
	e := hessian.NewEncoder()
	if err := e.Encode(v); err != nil {
		panic(fmt.Sprintf("hessian encode %#v: %v", v, err))
	}
	w.b = append(w.b, e.Buffer()...)
}

// putInt writes a hessian int in its shortest form, as Java does.
func (w *hw) putInt(v int32) { w.put(v) }

// jMap is an untyped map, 'H' k v ... 'Z'.
func jMap(kv ...hval) func(*hw) {
	return func(w *hw) {
		w.b = append(w.b, 'H')
		for _, v := range kv {
			w.put(v)
		}
		w.b = append(w.b, 'Z')
	}
}

// jObj is a typed object: its class definition the first time this class
// and field list appear in the body, then the object.
func jObj(class string, kv ...hval) func(*hw) {
	return func(w *hw) {
		var fields []string
		for i := 0; i < len(kv); i += 2 {
			fields = append(fields, kv[i].(string))
		}
		key := class + "|" + strings.Join(fields, ",")
		idx := -1
		for i, c := range w.classes {
			if c == key {
				idx = i
			}
		}
		if idx < 0 {
			idx = len(w.classes)
			w.classes = append(w.classes, key)
			w.b = append(w.b, 'C')
			w.put(class)
			w.putInt(int32(len(fields)))
			for _, f := range fields {
				w.put(f)
			}
		}
		if idx < 16 {
			w.b = append(w.b, byte(0x60+idx))
		} else {
			w.b = append(w.b, 'O')
			w.putInt(int32(idx))
		}
		for i := 1; i < len(kv); i += 2 {
			w.put(kv[i])
		}
	}
}

// jList is a fixed-length list: typed ('V' or 0x70+n) when typ is not
// empty, else untyped ('X' or 0x78+n).
func jList(typ string, items ...hval) func(*hw) {
	return func(w *hw) {
		n := len(items)
		switch {
		case typ != "" && n < 8:
			w.b = append(w.b, byte(0x70+n))
			w.put(typ)
		case typ != "":
			w.b = append(w.b, 'V')
			w.put(typ)
			w.putInt(int32(n))
		case n < 8:
			w.b = append(w.b, byte(0x78+n))
		default:
			w.b = append(w.b, 'X')
			w.putInt(int32(n))
		}
		for _, v := range items {
			w.put(v)
		}
	}
}

// jDate is a hessian date in milliseconds, 'J'.
func jDate(ms int64) func(*hw) {
	return func(w *hw) {
		w.b = append(w.b, 'J')
		w.b = binary.BigEndian.AppendUint64(w.b, uint64(ms))
	}
}

// jcall is one call to the Java provider.
type jcall struct {
	iface   string // default UserService
	version string // the body's service version; default "0.0.0"
	dubbo   string // the body's dubbo version; default "2.0.2"
	method  string
	desc    string
	args    []hval
	atts    map[string]string // added to path, interface and version
}

const (
	userService = "com.dubbomesh.demo.UserService"
	userDesc    = "Lcom/dubbomesh/demo/User;"
	roleDesc    = "Lcom/dubbomesh/demo/Role;"
)

// body writes the request body as DubboCodec.encodeRequestData does.
func (c jcall) body() []byte {
	if c.iface == "" {
		c.iface = userService
	}
	if c.version == "" {
		c.version = "0.0.0"
	}
	if c.dubbo == "" {
		c.dubbo = "2.0.2"
	}
	w := &hw{}
	for _, s := range []string{c.dubbo, c.iface, c.version, c.method, c.desc} {
		w.put(s)
	}
	for _, a := range c.args {
		w.put(a)
	}
	atts := map[any]any{"path": c.iface, "interface": c.iface, "version": c.version}
	for k, v := range c.atts {
		atts[k] = v
	}
	w.put(atts)
	return w.b
}

// jframe is one frame read from the provider.
type jframe struct {
	h    dubbo.Header
	body []byte
}

// javaConn is a multiplexed Dubbo connection to the Java provider: calls
// from many goroutines share it, and a reader goroutine hands each answer
// to its caller by request id.
type javaConn struct {
	conn    net.Conn
	wmu     sync.Mutex
	mu      sync.Mutex
	pending map[int64]chan jframe
	nextID  atomic.Int64
}

func dialJava(t *testing.T, addr string) *javaConn {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := &javaConn{conn: conn, pending: map[int64]chan jframe{}}
	t.Cleanup(func() { conn.Close() })
	go c.readLoop()
	return c
}

func (c *javaConn) readLoop() {
	hdr := make([]byte, dubbo.HeaderSize)
	for {
		if _, err := io.ReadFull(c.conn, hdr); err != nil {
			break
		}
		h, err := dubbo.ParseHeader(hdr)
		if err != nil {
			break
		}
		body := make([]byte, h.Length)
		if _, err := io.ReadFull(c.conn, body); err != nil {
			break
		}
		c.mu.Lock()
		ch := c.pending[h.ID]
		delete(c.pending, h.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- jframe{h, body}
		}
	}
	c.mu.Lock()
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.pending = nil
	c.mu.Unlock()
}

// send writes one frame and returns the channel its answer arrives on.
func (c *javaConn) send(flag byte, body []byte) (int64, chan jframe) {
	id := c.nextID.Add(1)
	ch := make(chan jframe, 1)
	c.mu.Lock()
	if c.pending != nil {
		c.pending[id] = ch
	} else {
		close(ch)
	}
	c.mu.Unlock()
	frame := make([]byte, dubbo.HeaderSize+len(body))
	dubbo.PutHeader(frame, dubbo.Header{Flag: flag, ID: id, Length: len(body)})
	copy(frame[dubbo.HeaderSize:], body)
	c.wmu.Lock()
	c.conn.Write(frame)
	c.wmu.Unlock()
	return id, ch
}

// roundTrip sends one two-way frame and waits for its answer.
func (c *javaConn) roundTrip(t testing.TB, flag byte, body []byte) jframe {
	t.Helper()
	id, ch := c.send(flag, body)
	select {
	case f, ok := <-ch:
		if !ok {
			t.Fatalf("connection closed before the answer to request %d", id)
		}
		if f.h.ID != id {
			t.Fatalf("answer id %d, want %d", f.h.ID, id)
		}
		return f
	case <-time.After(10 * time.Second):
		t.Fatalf("no answer to request %d within 10s", id)
		return jframe{}
	}
}

const callFlag = dubbo.FlagRequest | dubbo.FlagTwoWay | byte(dubbo.Hessian2)

// jresult is a decoded answer.
type jresult struct {
	status dubbo.Status
	flag   int32  // the response flag, with status 20
	value  []byte // the value's or the exception's hessian bytes, attachments cut off
	err    string // the error text, with another status
}

// respAttachments is how Java writes the attachments Dubbo 2.7 adds to a
// response (flags 3-5): the HashMap {dubbo=2.0.2}.
var respAttachments = []byte("H\x05dubbo\x052.0.2Z")

func (c *javaConn) call(t testing.TB, jc jcall) jresult {
	t.Helper()
	f := c.roundTrip(t, callFlag, jc.body())
	return parseJavaResponse(t, f)
}

func parseJavaResponse(t testing.TB, f jframe) jresult {
	t.Helper()
	if f.h.IsRequest() || f.h.IsEvent() || f.h.Serialization() != dubbo.Hessian2 {
		t.Fatalf("answer flag %#x", f.h.Flag)
	}
	r := jresult{status: f.h.Status}
	if r.status != dubbo.StatusOK {
		v, err := hessian.NewDecoder(f.body).Decode()
		s, ok := v.(string)
		if err != nil || !ok {
			t.Fatalf("status %d with body % x: %v", r.status, f.body, err)
		}
		r.err = s
		return r
	}
	if len(f.body) == 0 || f.body[0] < 0x90 || f.body[0] > 0x95 {
		t.Fatalf("response flag byte % x", f.body)
	}
	r.flag = int32(f.body[0]) - 0x90
	rest := f.body[1:]
	if r.flag >= 3 {
		if !bytes.HasSuffix(rest, respAttachments) {
			t.Fatalf("flag %d: body does not end with the attachments {dubbo=2.0.2}: % x", r.flag, f.body)
		}
		rest = rest[:len(rest)-len(respAttachments)]
	}
	if (r.flag == 2 || r.flag == 5) != (len(rest) == 0) {
		t.Fatalf("flag %d with % x after it", r.flag, rest)
	}
	r.value = rest
	return r
}

// decoded is the value (or exception) decoded by dubbo-go-hessian2.
func (r jresult) decoded(t testing.TB) any {
	t.Helper()
	if r.status != dubbo.StatusOK {
		t.Fatalf("status %d: %s", r.status, jFirstLine(r.err))
	}
	if len(r.value) == 0 {
		return nil
	}
	v, err := libDecode(r.value)
	if err != nil {
		t.Fatalf("dubbo-go-hessian2 cannot decode % x: %v", r.value, err)
	}
	return v
}

// libDecode decodes one value with dubbo-go-hessian2, which panics on some
// of what Java writes (a map keyed by enums).
func libDecode(b []byte) (v any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return hessian.NewDecoder(b).Decode()
}

// ok returns the value of a call that answered a value (flag 1 or 4,
// or 2 or 5 for null).
func (r jresult) ok(t testing.TB) any {
	t.Helper()
	if r.status != dubbo.StatusOK {
		t.Fatalf("status %d: %s", r.status, jFirstLine(r.err))
	}
	if r.flag == 0 || r.flag == 3 {
		t.Fatalf("the call threw: %s", jThrowable(r.decoded(t)))
	}
	return r.decoded(t)
}

func jFirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// jThrowable renders an exception decoded by dubbo-go-hessian2.
func jThrowable(v any) string {
	if e, ok := v.(error); ok {
		return fmt.Sprintf("%T: %v", v, e)
	}
	return fmt.Sprintf("%#v", v)
}

// jField returns a field of an object decoded by dubbo-go-hessian2 into a
// map (an unregistered class).
func jField(t testing.TB, v any, name string) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want an object, got %T %#v", v, v)
	}
	f, ok := m[name]
	if !ok {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Fatalf("object has no field %q, only %v", name, keys)
	}
	return f
}
