package load

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/dubbomesh/dubbomesh/bench/demo"
)

// Workload is what a Generator's connections call and how they check the
// answers.
type Workload uint8

const (
	// Hash is the race's call, IHelloService.hash(String) with a random
	// alphanumeric parameter, checked byte for byte against
	// String.hashCode (Check). It is the default.
	Hash Workload = iota
	// User calls UserService.getUser(long) for ids drawn uniformly from 1
	// to UserIDs, and checks every answer's JSON field by field against
	// demo.GetUser (CheckUser).
	User
	// UserMixed is User with one call in four echo(User) instead, whose
	// parameter is demo.GetUser(id) as JSON text (the argument form of
	// demo.User.AppendArgJSON); the answer must be that user again.
	UserMixed
)

// Workloads lists the workloads by name, in the order of their values.
var Workloads = []string{"hash", "user", "user-mixed"}

// String returns the workload's name, as ParseWorkload takes it.
func (w Workload) String() string {
	if int(w) < len(Workloads) {
		return Workloads[w]
	}
	return fmt.Sprintf("Workload(%d)", w)
}

// ParseWorkload returns the workload named name (see Workloads).
func ParseWorkload(name string) (Workload, error) {
	for i, n := range Workloads {
		if n == name {
			return Workload(i), nil
		}
	}
	return 0, fmt.Errorf("load: unknown workload %q (want hash, user or user-mixed)", name)
}

// UserIDs is the number of distinct users the User workloads ask for: ids
// 1 to UserIDs.
const UserIDs = 1000

// userForm is the fixed part of a getUser call's form; the id follows.
const userForm = "interface=" + demo.Interface + "&method=getUser&parameterTypesString=J&parameter="

// echoForm is the fixed part of an echo call's form; the percent-encoded
// JSON of the user follows.
const echoForm = "interface=" + demo.Interface + "&method=echo&parameterTypesString=" +
	"Lcom%2Fdubbomesh%2Fdemo%2FUser%3B&parameter="

// userEntry is one id's expectations, computed once for all connections.
type userEntry struct {
	user       demo.User
	scoreNames []string // the names of user.Scores
	created    string   // user.Created as the mesh renders it
	echo       string   // echo's percent-encoded JSON parameter
}

var (
	usersOnce sync.Once
	users     []userEntry // read-only once built; index id-1
)

// userTable returns the expectations of ids 1 to UserIDs, building them on
// first use.
func userTable() []userEntry {
	usersOnce.Do(func() {
		users = make([]userEntry, UserIDs)
		var buf []byte
		for i := range users {
			e := &users[i]
			e.user = demo.GetUser(int64(i + 1))
			for _, sc := range e.user.Scores {
				e.scoreNames = append(e.scoreNames, sc.Name)
			}
			e.created = string(demo.AppendDate(nil, e.user.Created))
			buf = e.user.AppendArgJSON(buf[:0])
			e.echo = string(appendEscaped(nil, buf, encodedLen(buf)))
		}
	})
	return users
}

// AppendUserRequest appends the call UserService.getUser(id) to dst, a POST
// of the form interface=com.dubbomesh.demo.UserService&method=getUser&
// parameterTypesString=J&parameter=<id> addressed to host, and returns the
// extended slice. It allocates only when dst lacks capacity.
func AppendUserRequest(dst []byte, host string, id int64) []byte {
	var num [20]byte
	param := strconv.AppendInt(num[:0], id, 10)
	dst = appendPostHead(dst, host, len(userForm)+len(param))
	dst = append(dst, userForm...)
	return append(dst, param...)
}

// AppendEchoRequest appends the call UserService.echo(demo.GetUser(id)) to
// dst, for id from 1 to UserIDs: the parameter is the user's JSON argument
// form, percent-encoded. It allocates only when dst lacks capacity (and the
// first time, to build the users).
func AppendEchoRequest(dst []byte, host string, id int64) []byte {
	param := userTable()[id-1].echo
	dst = appendPostHead(dst, host, len(echoForm)+len(param))
	dst = append(dst, echoForm...)
	return append(dst, param...)
}
