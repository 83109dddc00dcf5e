package com.dubbomesh.demo;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * A service shaped like a real one: POJOs, collections, an enum, dates,
 * decimals and arrays, in and out. Every answer is computed from the
 * arguments alone, so a test can predict it.
 */
public interface UserService {
    /** The user with this id; every field is derived from id. */
    User getUser(long id);

    /** Returns u as it was decoded. */
    User echo(User u);

    /** getUser(floorMod(name.hashCode(), 1000)) with this name and role. */
    User create(String name, Role role);

    /** ADMIN, MEMBER, GUEST for id mod 3 = 0, 1, 2. */
    Role roleOf(long id);

    /**
     * Users 1..count() in order, keeping those whose role is query's "role"
     * (a name, a Role or a map with "name"), at most query's "limit" (a
     * number, default 3, at most 100) of them.
     */
    List<User> find(Map<String, Object> query);

    /** name -> create(name, MEMBER), in a HashMap. */
    Map<String, User> byName(List<String> names);

    /** new Date(d.getTime() + millis). */
    Date shift(Date d, long millis);

    /** a.add(b). */
    BigDecimal add(BigDecimal a, BigDecimal b);

    /** x.multiply(x). */
    BigInteger square(BigInteger x);

    /** The sum of xs. */
    int sum(int[] xs);

    /** s.split(","). */
    String[] split(String s);

    /** String.join("|", parts). */
    String join(String[] parts);

    /** u's address followed by u's previous addresses. */
    Address[] addresses(User u);

    /** The number of users find searches: 100. */
    int count();

    /** Does nothing: the answer is null. */
    void touch(User u);

    /** u.toString(): every field as Java decoded it. */
    String inspect(User u);

    /** Whether u's role is ADMIN. */
    boolean isAdmin(User u);

    /** o's class name, ':' and o (arrays through Arrays.deepToString); "null" for null. */
    String describe(Object o);

    /** n bytes, the i-th being (byte) i. */
    byte[] bytes(int n);

    /** x / 2. */
    double half(double x);

    /** s.charAt(0). */
    char initial(String s);

    /** Always throws IllegalArgumentException("user <id> is locked"). */
    User failing(long id);

    /** A node whose next is itself: a reference cycle. */
    Node cycle();

    /** [ADMIN, MEMBER, ADMIN, GUEST, ADMIN]: the same constants, so refs. */
    List<Role> sharedRoles();

    /** getUser(1..n), all sharing one Address instance. */
    List<User> household(int n);

    /** How many of users have each role, in a TreeMap keyed by Role. */
    Map<Role, Integer> roleCounts(List<User> users);

    /** s.repeat(n): long strings come back in chunks. */
    String repeat(String s, int n);

    /** One value of each kind Hessian writes, in a LinkedHashMap. */
    Map<String, Object> misc();

    /** Which export answered: "default" or "gray:1.0.0". */
    String instance();

    /** The request's attachment of this name, as a String; null if absent. */
    String attachment(String name);

    /** The sum of xs, each read as a Long (a ClassCastException for an Integer). */
    long sumLongs(List<Long> xs);

    /** String.valueOf of each argument, joined by ",". */
    String boxes(Integer i, Long l, Boolean b, Double d);

    /** (short) x. */
    short narrow(int x);

    /** (byte) x. */
    byte narrowByte(int x);

    /** x / 3 in float arithmetic. */
    float third(float x);

    /** An object of a class that is not Serializable: Hessian cannot write it. */
    Object unwritable();

    /** new Timestamp(t.getTime() + millis). */
    java.sql.Timestamp later(java.sql.Timestamp t, long millis);

    /** d's class name, ':' and d.getTime(); "null" for null. Each element of a List. */
    String timeOf(List<Date> d);

    /** EnumSet.of(ADMIN, GUEST). */
    java.util.Set<Role> roleSet();

    /** Throws RuntimeException("level n-1"), caused by "level n-2", ... by "level 0". */
    void throwCauses(int n);

    /** Throws IllegalStateException(msg). */
    void throwMessage(String msg);
}
