package demo

import "strconv"

// The service, as Java names it.
const (
	// Interface is the service's interface name.
	Interface = "com.dubbomesh.demo.UserService"
	// UserClass, AddressClass and RoleClass are the classes of its values.
	UserClass    = "com.dubbomesh.demo.User"
	AddressClass = "com.dubbomesh.demo.Address"
	RoleClass    = "com.dubbomesh.demo.Role"
	// UserDescriptor is the JVM descriptor of a User parameter.
	UserDescriptor = "Lcom/dubbomesh/demo/User;"
)

// Epoch is the instant users are created from, 2023-11-14T22:13:20Z, in
// milliseconds since 1970.
const Epoch int64 = 1_700_000_000_000

// Users is what count() answers, and the ids find() searches: 1 to Users.
const Users = 100

// Role is com.dubbomesh.demo.Role; the zero value is no role (Java's null).
type Role uint8

// The roles, in Java's declaration order after NoRole.
const (
	NoRole Role = iota
	Admin
	Member
	Guest
)

var roleNames = [...]string{"", "ADMIN", "MEMBER", "GUEST"}

// String returns the constant's Java name, or "" for NoRole.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return ""
}

// ParseRole returns the role named name, and false when no constant has it.
func ParseRole(name string) (Role, bool) {
	for i := Admin; i <= Guest; i++ {
		if roleNames[i] == name {
			return i, true
		}
	}
	return NoRole, false
}

// RoleOf returns UserService.roleOf(id): ADMIN, MEMBER, GUEST for
// floorMod(id, 3) = 0, 1, 2.
func RoleOf(id int64) Role { return Admin + Role(floorMod(id, 3)) }

// Address is com.dubbomesh.demo.Address.
type Address struct {
	Street, City, Zip string
}

// Score is one entry of User.Scores, a Java LinkedHashMap<String, Integer>.
type Score struct {
	Name  string
	Value int32
}

// User is com.dubbomesh.demo.User as getUser returns it, its fields in
// Java's declaration order (which is also the order Hessian writes them in:
// primitives and java.lang types first, then the others, each group in
// declaration order; here the two orders agree). A User is a plain value:
// callers own its slices.
type User struct {
	ID       int64
	Name     string
	Role     Role
	Address  Address
	Tags     []string
	Scores   []Score
	Created  int64  // java.util.Date, milliseconds since 1970
	Balance  string // java.math.BigDecimal, as its toString
	Lucky    []int32
	Previous []Address
}

// GetUser returns UserService.getUser(id), by the formula of the package
// documentation. It allocates the user's strings and slices.
func GetUser(id int64) User {
	idText := strconv.FormatInt(id, 10)
	parity := "odd"
	if floorMod(id, 2) == 0 {
		parity = "even"
	}
	zip := strconv.FormatInt(floorMod(id, 100000), 10)
	for len(zip) < 5 {
		zip = "0" + zip
	}
	return User{
		ID:      id,
		Name:    "user-" + idText,
		Role:    RoleOf(id),
		Address: Address{Street: idText + " Main St", City: "Springfield", Zip: zip},
		Tags:    []string{"id" + idText, parity},
		Scores: []Score{
			{Name: "math", Value: int32(floorMod(id*7, 100))},
			{Name: "art", Value: int32(floorMod(id*13, 100))},
		},
		Created: Epoch + floorMod(id, 36500)*86_400_123,
		Balance: hundredths(floorMod(id, 1_000_000) * 137),
		Lucky:   []int32{int32(floorMod(id, 10)), int32(floorMod(id, 7)), 42},
		Previous: []Address{{
			Street: strconv.FormatInt(id+1, 10) + " Old Rd", City: "Shelbyville", Zip: "00001",
		}},
	}
}

// floorMod is Java's Math.floorMod for a positive m.
func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

// hundredths renders BigDecimal.valueOf(u, 2).toString() for u >= 0.
func hundredths(u int64) string {
	s := strconv.FormatInt(u, 10)
	for len(s) < 3 {
		s = "0" + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}
