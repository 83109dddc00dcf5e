package jsonhessian

import (
	"encoding/binary"
	"math/big"
	"strings"
	"testing"
)

func TestParseBigInteger(t *testing.T) {
	for _, s := range []string{"0", "-0", "+0", "000", "1", "-1", "4294967295", "4294967296", "-4294967296",
		"18446744073709551616", "123456789012345678901234567890", "-" + strings.Repeat("9", 4096), "0000" + strings.Repeat("7", 4096)} {
		signum, words, ok := parseBigInteger([]byte(s), nil)
		if !ok {
			t.Errorf("parseBigInteger(%q) failed", s)
			continue
		}
		want, _ := new(big.Int).SetString(s, 10)
		b := make([]byte, 4*len(words))
		for i, w := range words {
			binary.BigEndian.PutUint32(b[4*i:], w)
		}
		got := new(big.Int).SetBytes(b)
		if signum < 0 {
			got.Neg(got)
		}
		if got.Cmp(want) != 0 || int(signum) != want.Sign() || (len(words) > 0 && words[0] == 0) {
			t.Errorf("parseBigInteger(%q) = %d %x", s, signum, words)
		}
	}
	for _, s := range []string{"", "-", "+", "1.5", "1e5", " 1", "0x10", strings.Repeat("9", 4097)} {
		if _, _, ok := parseBigInteger([]byte(s), nil); ok {
			t.Errorf("parseBigInteger(%q) succeeded", s)
		}
	}
}

func TestValidDecimal(t *testing.T) {
	for _, s := range []string{"0", "1.10", "-1.10", "+1", ".5", "5.", "1e5", "1E+5", "1e-5", "-.5e-999999999", "00.00"} {
		if !validDecimal([]byte(s)) {
			t.Errorf("validDecimal(%q) = false", s)
		}
	}
	for _, s := range []string{"", ".", "-", "e5", "1e", "1e+", "1.2.3", "1,5", "1e1234567890", "NaN", "1 ", "0x1"} {
		if validDecimal([]byte(s)) {
			t.Errorf("validDecimal(%q) = true", s)
		}
	}
}
