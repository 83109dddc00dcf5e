// Package demo provides the data of com.dubbomesh.demo.UserService as the
// benchmark knows it: the User that getUser(id) returns, computed from the id
// alone, and the two JSON texts the mesh carries for it (the answer and the
// argument form).
//
// The reference provider (bench/provider) encodes these users in hessian2,
// the load generator (bench/load) checks the mesh's answers against them, and
// the ideal (bench/ideal) answers with their JSON, so all three agree by
// construction. The Java provider of the end-to-end tests
// (internal/e2e/testdata/java, UserServiceImpl.getUser) computes the same
// users; bench/provider's golden files hold what Java wrote for some of them.
//
// The formula, with floorMod(a, b) the non-negative remainder:
//
//	id       the argument
//	name     "user-<id>"
//	role     ADMIN, MEMBER, GUEST for floorMod(id, 3) = 0, 1, 2
//	address  street "<id> Main St", city "Springfield",
//	         zip floorMod(id, 100000) in five digits ("00042")
//	tags     ["id<id>", "even" or "odd" by floorMod(id, 2)]
//	scores   {"math": floorMod(id*7, 100), "art": floorMod(id*13, 100)} (in this order)
//	created  Epoch + floorMod(id, 36500) * 86400123 ms
//	balance  floorMod(id, 1000000) * 137 hundredths ("1.37" for id 1)
//	lucky    [floorMod(id, 10), floorMod(id, 7), 42]
//	previous [{street "<id+1> Old Rd", city "Shelbyville", zip "00001"}]
//
// with 64-bit wraparound in id*7, id*13 and id+1, as Java's long arithmetic.
package demo
