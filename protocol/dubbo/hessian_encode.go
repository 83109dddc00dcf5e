package dubbo

import "github.com/dubbomesh/dubbomesh/protocol/jsonhessian"

// Hessian 2 value encoding, byte for byte as github.com/apache/dubbo-go-hessian2
// v1.13.1 writes the same Go values: protocol/jsonhessian's writers, sized
// with its XxxSize functions. Nothing here allocates.

// Hessian 2 tags the frame encoders write themselves; values go through
// protocol/jsonhessian's writers.
const (
	encTagNull      = 'N'
	encTagMap       = 'H' // untyped map, ended by encTagEnd
	encTagEnd       = 'Z'
	encTagClassDef  = 'C'
	encTagObject    = 0x60 // object instance of class definition 0
	encTagTypedList = 'V'  // fixed-length typed list: type, length, values
)

// The encPutXxx helpers write a value at the front of b, which holds at
// least jsonhessian.XxxSize of it (frames are sized first), and return the
// bytes written: appending to b[:0] writes in place.

func encPutString(b []byte, s []byte) int {
	return len(jsonhessian.AppendString(b[:0], s))
}

func encPutInt(b []byte, v int32) int {
	return len(jsonhessian.AppendInt(b[:0], v))
}

func encPutLong(b []byte, v int64) int {
	return len(jsonhessian.AppendLong(b[:0], v))
}

func encPutDouble(b []byte, v float64) int {
	return len(jsonhessian.AppendDouble(b[:0], v))
}

func encPutBool(b []byte, v bool) int {
	return len(jsonhessian.AppendBool(b[:0], v))
}

// encHessianConst returns the concatenated hessian encoding of strings and
// ints, for the fixed parts of frames built once at start-up.
func encHessianConst(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			b = jsonhessian.AppendString(b, []byte(v))
		case int:
			b = jsonhessian.AppendInt(b, int32(v))
		case byte:
			b = append(b, v)
		default:
			panic("dubbo: encHessianConst: unsupported part")
		}
	}
	return b
}

// Fixed parts of hessian frames.
var (
	encHessianDubboVersion = encHessianConst("2.0.2")
	encHessianKeyPath      = encHessianConst("path")
	encHessianKeyInterface = encHessianConst("interface")
	encHessianKeyVersion   = encHessianConst("version")
	encHessianKeyTimeout   = encHessianConst("timeout")

	// encHessianResponseAttachments is the map a provider adds with
	// response flags 3-5: {"dubbo": "2.0.2"}.
	encHessianResponseAttachments = encHessianConst(byte(encTagMap), "dubbo", "2.0.2", byte(encTagEnd))

	// encHessianThrowableFields follows the class name of an exception's
	// class definition: the field count and names of java.lang.Throwable.
	encHessianThrowableFields = encHessianConst(4, "detailMessage", "cause", "stackTrace", "suppressedExceptions")

	// encHessianThrowableTail follows the detail message of an exception
	// instance: cause null, an empty StackTraceElement[], no suppressed
	// exceptions.
	encHessianThrowableTail = encHessianConst(byte(encTagNull), byte(encTagTypedList), "[java.lang.StackTraceElement", 0, byte(encTagNull))
)
