package hessianjson

import (
	"encoding/hex"
	"errors"
	"testing"
)

// Bytes written by Java 17 with Caucho's Hessian 4.0.38 (Debian's
// libhessian-java), Hessian2Output.writeObject, each with the JSON it must
// render as. Gen$Role is an enum.
var javaCaptures = []struct {
	name, java, hex, want string
	kind                  Kind
}{
	{
		name: "BigInteger",
		java: `new BigInteger("-123456789012345678901234567890"): fields signum, the cached bit counts, mag last`,
		hex: "43146a6176612e6d6174682e426967496e746567657296067369676e756d0f626974436f756e74506c75734f6e651062" +
			"69744c656e677468506c75734f6e65136c6f77657374536574426974506c757354776f1966697273744e6f6e7a65726f" +
			"496e744e756d506c757354776f036d6167608f9090909074045b696e7491498ee90ff649c373e0ee494e3f0ad2",
		want: `-123456789012345678901234567890`,
		kind: KindNumber,
	},
	{
		name: "BigInteger sharing mag",
		java: `Arrays.asList(x, x.negate()), x = 2^40: the negation refers to x's mag`,
		hex: "721a6a6176612e7574696c2e4172726179732441727261794c69737443146a6176612e6d6174682e426967496e746567" +
			"657296067369676e756d0f626974436f756e74506c75734f6e65106269744c656e677468506c75734f6e65136c6f7765" +
			"7374536574426974506c757354776f1966697273744e6f6e7a65726f496e744e756d506c757354776f036d6167609190" +
			"90909072045b696e74c90090608f909090905192",
		want: `[1099511627776,-1099511627776]`,
		kind: KindList,
	},
	{
		name: "enum list",
		java: `Arrays.asList(ADMIN, MEMBER, ADMIN): the third is a reference`,
		hex: "731a6a6176612e7574696c2e4172726179732441727261794c697374430847656e24526f6c6591046e616d6560054144" +
			"4d494e60064d454d4245525191",
		want: `["ADMIN","MEMBER","ADMIN"]`,
		kind: KindList,
	},
	{
		name: "Timestamp",
		java: `new java.sql.Timestamp(1796457600123L)`,
		hex:  "43126a6176612e73716c2e54696d657374616d70910576616c7565604a000001a24537947b",
		want: `"2026-12-05T08:00:00.123Z"`,
		kind: KindDate,
	},
	{
		name: "map keys",
		java: `a LinkedHashMap {1: "one", ADMIN: 2, null: 3}`,
		hex: "4d176a6176612e7574696c2e4c696e6b6564486173684d617091036f6e65430847656e24526f6c6591046e616d656005" +
			"41444d494e924e935a",
		want: `{"1":"one","ADMIN":2,"null":3}`,
		kind: KindMap,
	},
	{
		name: "TreeSet",
		java: `new TreeSet<>(List.of(3, 1, 2))`,
		hex:  "73116a6176612e7574696c2e54726565536574919293",
		want: `[1,2,3]`,
		kind: KindList,
	},
	{
		name: "string",
		java: `"a\uD83D\uDE00\"\n"`,
		hex:  "0561eda0bdedb880220a",
		want: `"a😀\"\u000a"`,
		kind: KindString,
	},
	{
		name: "BigDecimal with intVal",
		java: `new BigDecimal("123456789012345678901234567890.12")`,
		hex: "43146a6176612e6d6174682e426967446563696d616c92057363616c6506696e7456616c609243146a6176612e6d6174" +
			"682e426967496e746567657296067369676e756d0f626974436f756e74506c75734f6e65106269744c656e677468506c" +
			"75734f6e65136c6f77657374536574426974506c757354776f1966697273744e6f6e7a65726f496e744e756d506c7573" +
			"54776f036d6167619190c869909074045b696e74c89b49d30a3c64495943dd164990a03a14",
		want: `123456789012345678901234567890.12`,
		kind: KindNumber,
	},
	{
		name: "BigDecimal negative scale",
		java: `new BigDecimal(new BigInteger("98765432109876543210"), -3)`,
		hex: "43146a6176612e6d6174682e426967446563696d616c92057363616c6506696e7456616c608d43146a6176612e6d6174" +
			"682e426967496e746567657296067369676e756d0f626974436f756e74506c75734f6e65106269744c656e677468506c" +
			"75734f6e65136c6f77657374536574426974506c757354776f1966697273744e6f6e7a65726f496e744e756d506c7573" +
			"54776f036d6167619190c844909073045b696e7495495aa54d3849e5267eea",
		want: `9.8765432109876543210E+22`,
		kind: KindNumber,
	},
	{
		name: "BigDecimal small",
		java: `new BigDecimal(new BigInteger("-12345678901234567890123"), 30)`,
		hex: "43146a6176612e6d6174682e426967446563696d616c92057363616c6506696e7456616c60ae43146a6176612e6d6174" +
			"682e426967496e746567657296067369676e756d0f626974436f756e74506c75734f6e65106269744c656e677468506c" +
			"75734f6e65136c6f77657374536574426974506c757354776f1966697273744e6f6e7a65726f496e744e756d506c7573" +
			"54776f036d6167618f9090909073045b696e74ca9d4942b64e7649714244cb",
		want: `-1.2345678901234567890123E-8`,
		kind: KindNumber,
	},
	{
		name: "BigDecimal as value",
		java: `new BigDecimal("1234.50") through a StringValueSerializer, as hessian-lite writes it`,
		hex:  "43146a6176612e6d6174682e426967446563696d616c910576616c75656007313233342e3530",
		want: `1234.50`,
		kind: KindNumber,
	},
}

func TestJavaCaptures(t *testing.T) {
	for _, tc := range javaCaptures {
		t.Run(tc.name, func(t *testing.T) {
			src, err := hex.DecodeString(tc.hex)
			if err != nil {
				t.Fatal(err)
			}
			got, kind, err := render(t, src)
			if err != nil || got != tc.want || kind != tc.kind {
				t.Fatalf("%s: got %s, %v, %v; want %s, %v", tc.java, got, kind, err, tc.want, tc.kind)
			}
		})
	}
}

// Caucho's Hessian writes a BigDecimal by its fields, and one whose
// unscaled value fits in a long keeps it in the transient intCompact: the
// digits never reach the wire (Java itself reads new BigDecimal("-1.50E+3")
// back as 0E+1). That is an error, not a number.
func TestJavaCompactBigDecimal(t *testing.T) {
	src, _ := hex.DecodeString("43146a6176612e6d6174682e426967446563696d616c92057363616c6506696e7456616c608f4e")
	if _, _, err := render(t, src); !errors.Is(err, ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}
