package hessianjson

import "math"

// javaUser returns a User of about 1 KB as Java's Hessian2Output writes
// it, under class names the library has not registered (as the agent,
// which knows no service's classes, sees them): a POJO with a nested POJO,
// an ArrayList of strings, a HashMap, an enum, a Date, a BigDecimal and an
// int[]. Its JSON is javaUserJSON.
func javaUser() []byte {
	b := hb{}.classDef("com.example.User", "id", "name", "email", "active", "score", "address", "tags", "attrs", "role", "created", "balance", "counts", "nickname", "bio").
		object(0).int64(9007199254740993).str("Ada Lovelace").str("ada@example.com").boolean(true).double(98.625).
		classDef("com.example.Address", "street", "city", "zip").object(1).str("12 St James's Square").str("London").int32(10001).
		listBegin(8, "java.util.ArrayList").str("admin").str("analyst").str("engine").str("poetry").str("mathematics").str("notes").str("bernoulli").str("difference").
		raw('M').str("java.util.HashMap")
	for _, kv := range [][2]string{{"team", "engines"}, {"floor", "3"}, {"desk", "12B"}, {"lang", "en-GB"}, {"tz", "Europe/London"},
		{"manager", "Charles Babbage"}, {"badge", "A-0001"}, {"building", "Analytical"}, {"cost", "cc-77"}} {
		b = b.str(kv[0]).str(kv[1])
	}
	b = b.end().classDef("com.example.Role", "name").object(2).str("ADMIN").
		date(1796457600123).
		classDef("java.math.BigDecimal", "value").object(3).str("12345.67").
		listBegin(30, "[int")
	fib := [2]int32{1, 1}
	for range 30 {
		b = b.int32(fib[0])
		fib = [2]int32{fib[1], fib[0] + fib[1]}
	}
	return b.str("The Enchantress of Numbers, who wrote the first program for a machine that was never built, in notes longer than the paper they annotated").
		str(javaUserBio)
}

const javaUserBio = "Augusta Ada King, Countess of Lovelace, was an English mathematician and writer chiefly known for her work on Charles Babbage's proposed mechanical general-purpose computer, the Analytical Engine. She was the first to recognise that the machine had applications beyond pure calculation."

const javaUserJSON = `{"id":9007199254740993,"name":"Ada Lovelace","email":"ada@example.com","active":true,"score":98.625,` +
	`"address":{"street":"12 St James's Square","city":"London","zip":10001},` +
	`"tags":["admin","analyst","engine","poetry","mathematics","notes","bernoulli","difference"],` +
	`"attrs":{"team":"engines","floor":"3","desk":"12B","lang":"en-GB","tz":"Europe/London","manager":"Charles Babbage","badge":"A-0001","building":"Analytical","cost":"cc-77"},` +
	`"role":"ADMIN","created":"2026-12-05T08:00:00.123Z","balance":12345.67,` +
	`"counts":[1,1,2,3,5,8,13,21,34,55,89,144,233,377,610,987,1597,2584,4181,6765,10946,17711,28657,46368,75025,121393,196418,317811,514229,832040],` +
	`"nickname":"The Enchantress of Numbers, who wrote the first program for a machine that was never built, in notes longer than the paper they annotated",` +
	`"bio":"` + javaUserBio + `"}`

// javaUsers returns a list of n Users sharing their Role constant and
// class definitions, as Java writes a List<User>: the second and later
// users refer to the first one's role.
func javaUsers(n int) []byte {
	b := hb{}.listBegin(n, "java.util.ArrayList")
	for i := range n {
		b = b.classDefOnce(i == 0, "com.example.Person", "id", "name", "role", "limit")
		b = b.object(0).int64(int64(i)).str("user-" + string(rune('a'+i%26)))
		if i == 0 {
			b = b.classDef("com.example.Role", "name").object(1).str("MEMBER")
		} else {
			b = b.ref(2) // refs: 0 the list, 1 the first user, 2 its role
		}
		b = b.double(math.Pi)
	}
	return b
}

// classDefOnce writes the class definition only when first is set.
func (b hb) classDefOnce(first bool, name string, fields ...string) hb {
	if !first {
		return b
	}
	return b.classDef(name, fields...)
}
