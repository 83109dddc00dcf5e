package dubbo

// encJSONNullLine is a fastjson null body.
const encJSONNullLine = "null\n"

// HeartbeatSize returns the size of a heartbeat frame (header and null
// body) in serialization s. Serializations other than FastJSON are written
// as hessian2.
func HeartbeatSize(s Serialization) int {
	if s == FastJSON {
		return HeaderSize + len(encJSONNullLine)
	}
	return HeaderSize + 1
}

// PutHeartbeat writes a heartbeat frame with the given id into b, which must
// hold HeartbeatSize(s) bytes, and returns the bytes written. With reply
// false it is a request (flag FlagRequest|FlagTwoWay|FlagEvent|s); with
// reply true, the answer to one (flag FlagEvent|s, status 20). The body is
// null: hessian 'N' or fastjson "null\n".
//
// PutHeartbeat does not allocate and keeps no reference to b.
func PutHeartbeat(b []byte, id int64, s Serialization, reply bool) int {
	if s != FastJSON {
		s = Hessian2
	}
	h := Header{Flag: FlagEvent | byte(s), ID: id}
	if reply {
		h.Status = StatusOK
	} else {
		h.Flag |= FlagRequest | FlagTwoWay
	}
	if s == FastJSON {
		h.Length = copy(b[HeaderSize:], encJSONNullLine)
	} else {
		b[HeaderSize] = encTagNull
		h.Length = 1
	}
	PutHeader(b, h)
	return HeaderSize + h.Length
}
