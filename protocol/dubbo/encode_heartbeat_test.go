package dubbo

import "testing"

func TestEncodeHeartbeat(t *testing.T) {
	cases := []struct {
		s     Serialization
		reply bool
		want  []byte
	}{
		{Hessian2, false, []byte{0xda, 0xbb, 0xe2, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 1, 'N'}},
		{Hessian2, true, []byte{0xda, 0xbb, 0x22, 20, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 1, 'N'}},
		{FastJSON, false, append([]byte{0xda, 0xbb, 0xe6, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 5}, "null\n"...)},
		{FastJSON, true, append([]byte{0xda, 0xbb, 0x26, 20, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 5}, "null\n"...)},
	}
	for _, c := range cases {
		got := encSizePut(t, HeartbeatSize(c.s), func(b []byte) int { return PutHeartbeat(b, 0x0102, c.s, c.reply) })
		encAssertBytes(t, c.s.String(), got, c.want)
		h, err := ParseHeader(got)
		if err != nil || !h.IsEvent() || h.IsRequest() == c.reply || h.IsTwoWay() == c.reply || h.Serialization() != c.s {
			t.Fatalf("header %+v, %v", h, err)
		}
	}
	// The hessian body is the library's null.
	encAssertBytes(t, "null", []byte{'N'}, encLib(t, nil))
}
