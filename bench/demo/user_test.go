package demo

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestGetUserOne(t *testing.T) {
	got := GetUser(1)
	want := User{
		ID: 1, Name: "user-1", Role: Member,
		Address:  Address{"1 Main St", "Springfield", "00001"},
		Tags:     []string{"id1", "odd"},
		Scores:   []Score{{"math", 7}, {"art", 13}},
		Created:  Epoch + 86_400_123,
		Balance:  "1.37",
		Lucky:    []int32{1, 1, 42},
		Previous: []Address{{"2 Old Rd", "Shelbyville", "00001"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetUser(1) = %+v\nwant %+v", got, want)
	}
}

// TestGetUserFloorMod checks the formula's remainders for a negative id and
// the wraparound of a large one, as Java's long arithmetic gives them.
func TestGetUserFloorMod(t *testing.T) {
	u := GetUser(-7)
	if u.Role != Guest || u.Address.Zip != "99993" || u.Tags[1] != "odd" ||
		u.Scores[0].Value != 51 || u.Scores[1].Value != 9 || u.Balance != "1369990.41" ||
		!reflect.DeepEqual(u.Lucky, []int32{3, 0, 42}) || u.Previous[0].Street != "-6 Old Rd" ||
		u.Created != Epoch+36493*86_400_123 {
		t.Fatalf("GetUser(-7) = %+v", u)
	}
	const maxLong = 1<<63 - 1
	u = GetUser(maxLong)
	// Long.MAX_VALUE + 1 wraps to Long.MIN_VALUE; * 7 and * 13 wrap too.
	if u.Previous[0].Street != "-9223372036854775808 Old Rd" || u.Scores[0].Value != 1 || u.Scores[1].Value != 95 {
		t.Fatalf("GetUser(MaxInt64) = %+v", u)
	}
	if u := GetUser(0); u.Balance != "0.00" || u.Role != Admin || u.Address.Zip != "00000" {
		t.Fatalf("GetUser(0) = %+v", u)
	}
	if u := GetUser(5); u.Balance != "6.85" {
		t.Fatalf("GetUser(5).Balance = %q", u.Balance)
	}
}

func TestAppendJSON(t *testing.T) {
	u := GetUser(1)
	const want = `{"id":1,"name":"user-1","role":"MEMBER",` +
		`"address":{"street":"1 Main St","city":"Springfield","zip":"00001"},` +
		`"tags":["id1","odd"],"scores":{"math":7,"art":13},"created":"2023-11-15T22:13:20.123Z",` +
		`"balance":1.37,"lucky":[1,1,42],"previous":[{"street":"2 Old Rd","city":"Shelbyville","zip":"00001"}]}`
	if got := string(u.AppendJSON(nil)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if !json.Valid(u.AppendJSON(nil)) {
		t.Fatal("not JSON")
	}
}

func TestAppendArgJSON(t *testing.T) {
	u := GetUser(2)
	const want = `{"id":2,"name":"user-2","role":{"name":"GUEST"},` +
		`"address":{"street":"2 Main St","city":"Springfield","zip":"00002"},` +
		`"tags":["id2","even"],"scores":{"math":14,"art":26},` +
		`"created":{"class":"java.util.Date","value":"2023-11-16T22:13:20.246Z"},` +
		`"balance":{"class":"java.math.BigDecimal","value":"2.74"},"lucky":[2,2,42],` +
		`"previous":[{"street":"3 Old Rd","city":"Shelbyville","zip":"00001"}]}`
	if got := string(u.AppendArgJSON(nil)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestAppendString(t *testing.T) {
	got := string(AppendString(nil, "a\"b\\c\x01\n\u00e9"))
	if want := `"a\"b\\c\u0001\u000a` + "\u00e9\""; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	var back string
	if err := json.Unmarshal([]byte(got), &back); err != nil || back != "a\"b\\c\x01\n\u00e9" {
		t.Fatalf("round trip: %q, %v", back, err)
	}
}

func TestRoles(t *testing.T) {
	for _, r := range []Role{Admin, Member, Guest} {
		if p, ok := ParseRole(r.String()); !ok || p != r {
			t.Fatalf("ParseRole(%q) = %v, %v", r, p, ok)
		}
	}
	if _, ok := ParseRole("OWNER"); ok {
		t.Fatal("ParseRole accepted OWNER")
	}
	if NoRole.String() != "" || Role(9).String() != "" {
		t.Fatal("no role has a name")
	}
	if RoleOf(-1) != Guest || RoleOf(3) != Admin {
		t.Fatal("RoleOf uses floorMod")
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	u := GetUser(12345)
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() {
		buf = u.AppendJSON(buf[:0])
		buf = u.AppendArgJSON(buf[:0])
	}); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
