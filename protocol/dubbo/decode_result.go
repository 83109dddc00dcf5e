package dubbo

import "github.com/dubbomesh/dubbomesh/protocol/hessianjson"

// ResultDecoder decodes Dubbo responses as DecodeResponse does, and renders
// every result the text form cannot carry (a POJO, an enum, a map, a list or
// array, a date, a BigDecimal or BigInteger, binary) as JSON with package
// hessianjson. It keeps the renderer's tables from call to call, so that a
// warm ResultDecoder does not allocate.
//
// The zero value is ready to use. A ResultDecoder is not safe for
// concurrent use: keep one per goroutine (per handler pass). MaxSize bounds
// the JSON of one result; 0 means hessianjson.DefaultMaxSize.
type ResultDecoder struct {
	json hessianjson.Renderer
}

// SetMaxSize bounds the JSON text of one result to n bytes (0: the
// default); a larger result fails to decode.
func (rd *ResultDecoder) SetMaxSize(n int) { rd.json.MaxSize = n }

// Decode decodes the body of the response frame h, like DecodeResponse,
// with two differences:
//
//   - a value that is not null, a primitive, a box or a String is rendered
//     as JSON (OutcomeJSON; see hessianjson for the forms), where
//     DecodeResponse would fall back to Go's syntax;
//   - with asJSON, every value is JSON (OutcomeJSON): a String as a JSON
//     string, null as null. Exceptions and errors stay text.
//
// A reference cycle, a result over the size limit, nesting deeper than 64
// levels and malformed hessian2 are errors wrapping ErrMalformed. The text
// is written into dst[:0] (grown if needed) or aliases body, as with
// DecodeResponse.
func (rd *ResultDecoder) Decode(h Header, body, dst []byte, asJSON bool) (text []byte, out Outcome, err error) {
	return decResponse(rd, h, body, dst, asJSON)
}
