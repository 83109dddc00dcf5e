package com.dubbomesh.demo;

import com.dubbomesh.javaprovider.RpcContext;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** UserService; label tells its exports apart (instance()). */
public final class UserServiceImpl implements UserService {
    /** 2023-11-14T22:13:20Z: users are created a day and 123 ms apart from it. */
    static final long EPOCH = 1_700_000_000_000L;
    static final int USERS = 100;

    private final String label;

    public UserServiceImpl(String label) {
        this.label = label;
    }

    @Override
    public User getUser(long id) {
        User u = new User();
        u.setId(id);
        u.setName("user-" + id);
        u.setRole(roleOf(id));
        u.setAddress(new Address(id + " Main St", "Springfield", String.format("%05d", Math.floorMod(id, 100000L))));
        List<String> tags = new ArrayList<>();
        tags.add("id" + id);
        tags.add(Math.floorMod(id, 2L) == 0 ? "even" : "odd");
        u.setTags(tags);
        Map<String, Integer> scores = new LinkedHashMap<>();
        scores.put("math", (int) Math.floorMod(id * 7, 100L));
        scores.put("art", (int) Math.floorMod(id * 13, 100L));
        u.setScores(scores);
        u.setCreated(new Date(EPOCH + Math.floorMod(id, 36500L) * 86_400_123L));
        u.setBalance(BigDecimal.valueOf(Math.floorMod(id, 1_000_000L) * 137, 2));
        u.setLucky(new int[] {(int) Math.floorMod(id, 10L), (int) Math.floorMod(id, 7L), 42});
        List<Address> previous = new ArrayList<>();
        previous.add(new Address((id + 1) + " Old Rd", "Shelbyville", "00001"));
        u.setPrevious(previous);
        return u;
    }

    @Override
    public User echo(User u) {
        return u;
    }

    @Override
    public User create(String name, Role role) {
        User u = getUser(Math.floorMod(name.hashCode(), 1000));
        u.setName(name);
        u.setRole(role);
        return u;
    }

    @Override
    public Role roleOf(long id) {
        return Role.values()[(int) Math.floorMod(id, 3L)];
    }

    @Override
    public List<User> find(Map<String, Object> query) {
        int limit = 3;
        String role = null;
        if (query != null) {
            Object l = query.get("limit");
            if (l instanceof Number) {
                limit = Math.max(0, Math.min(USERS, ((Number) l).intValue()));
            }
            Object r = query.get("role");
            if (r instanceof Role) {
                role = ((Role) r).name();
            } else if (r instanceof Map) {
                role = String.valueOf(((Map<?, ?>) r).get("name"));
            } else if (r != null) {
                role = r.toString();
            }
        }
        List<User> out = new ArrayList<>();
        for (long id = 1; id <= USERS && out.size() < limit; id++) {
            User u = getUser(id);
            if (role == null || u.getRole().name().equals(role)) {
                out.add(u);
            }
        }
        return out;
    }

    @Override
    public Map<String, User> byName(List<String> names) {
        Map<String, User> out = new HashMap<>();
        for (String name : names) {
            out.put(name, create(name, Role.MEMBER));
        }
        return out;
    }

    @Override
    public Date shift(Date d, long millis) {
        return new Date(d.getTime() + millis);
    }

    @Override
    public BigDecimal add(BigDecimal a, BigDecimal b) {
        return a.add(b);
    }

    @Override
    public BigInteger square(BigInteger x) {
        return x.multiply(x);
    }

    @Override
    public int sum(int[] xs) {
        int s = 0;
        for (int x : xs) {
            s += x;
        }
        return s;
    }

    @Override
    public String[] split(String s) {
        return s.split(",");
    }

    @Override
    public String join(String[] parts) {
        return String.join("|", parts);
    }

    @Override
    public Address[] addresses(User u) {
        List<Address> out = new ArrayList<>();
        out.add(u.getAddress());
        if (u.getPrevious() != null) {
            // A List<Address> decoded from untyped maps holds HashMaps: the
            // loop variable's cast fails here, as it would in a real service.
            for (Address a : u.getPrevious()) {
                out.add(a);
            }
        }
        return out.toArray(new Address[0]);
    }

    @Override
    public int count() {
        return USERS;
    }

    @Override
    public void touch(User u) {
    }

    @Override
    public String inspect(User u) {
        return String.valueOf(u);
    }

    @Override
    public boolean isAdmin(User u) {
        return u != null && u.getRole() == Role.ADMIN;
    }

    @Override
    public String describe(Object o) {
        if (o == null) {
            return "null";
        }
        String text = o.getClass().isArray() ? Arrays.deepToString(new Object[] {o}) : String.valueOf(o);
        if (o.getClass().isArray()) {
            text = text.substring(1, text.length() - 1);
        }
        return o.getClass().getName() + ":" + text;
    }

    @Override
    public byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Override
    public double half(double x) {
        return x / 2;
    }

    @Override
    public char initial(String s) {
        return s.charAt(0);
    }

    @Override
    public User failing(long id) {
        IllegalArgumentException e = new IllegalArgumentException("user " + id + " is locked");
        // A fixed one-frame trace keeps the bytes Hessian writes for the
        // exception the same from build to build (the golden files).
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement(UserServiceImpl.class.getName(), "failing", "UserServiceImpl.java", 1)});
        throw e;
    }

    @Override
    public Node cycle() {
        Node n = new Node("loop");
        n.setNext(n);
        return n;
    }

    @Override
    public List<Role> sharedRoles() {
        List<Role> out = new ArrayList<>();
        out.add(Role.ADMIN);
        out.add(Role.MEMBER);
        out.add(Role.ADMIN);
        out.add(Role.GUEST);
        out.add(Role.ADMIN);
        return out;
    }

    @Override
    public List<User> household(int n) {
        Address home = new Address("1 Shared Way", "Springfield", "00042");
        List<User> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            User u = getUser(i);
            u.setAddress(home);
            out.add(u);
        }
        return out;
    }

    @Override
    public Map<Role, Integer> roleCounts(List<User> users) {
        Map<Role, Integer> out = new TreeMap<>();
        for (User u : users) {
            out.merge(u.getRole(), 1, Integer::sum);
        }
        return out;
    }

    @Override
    public String repeat(String s, int n) {
        return s.repeat(n);
    }

    @Override
    public Map<String, Object> misc() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("null", null);
        m.put("true", true);
        m.put("int", -7);
        m.put("long", 1L << 40);
        m.put("short", (short) 3);
        m.put("byte", (byte) -1);
        m.put("double", 0.1);
        m.put("float", 1.5f);
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("ninf", Double.NEGATIVE_INFINITY);
        m.put("char", 'x');
        m.put("date", new Date(EPOCH));
        m.put("bytes", new byte[] {1, 2, 3});
        m.put("decimal", new BigDecimal("-0.000123"));
        m.put("bigint", new BigInteger("-98765432109876543210"));
        m.put("role", Role.GUEST);
        LinkedList<Object> linked = new LinkedList<>();
        linked.add(1);
        linked.add("a");
        m.put("linkedList", linked);
        m.put("treeSet", new TreeSet<>(Arrays.asList("b", "a")));
        m.put("objects", new Object[] {1, "x", null});
        Map<Integer, String> intKeys = new LinkedHashMap<>();
        intKeys.put(1, "one");
        intKeys.put(-2, "minus two");
        m.put("intKeys", intKeys);
        m.put("emptyList", new ArrayList<>());
        m.put("emptyMap", new HashMap<>());
        m.put("unicode", "h\u00e9llo \u4e16\u754c \ud83d\ude00");
        return m;
    }

    @Override
    public String instance() {
        return label;
    }

    @Override
    public String attachment(String name) {
        Object v = RpcContext.attachments().get(name);
        return v == null ? null : v.toString();
    }

    @Override
    public long sumLongs(List<Long> xs) {
        long sum = 0;
        for (Long x : xs) {
            sum += x;
        }
        return sum;
    }

    @Override
    public String boxes(Integer i, Long l, Boolean b, Double d) {
        return i + "," + l + "," + b + "," + d;
    }

    @Override
    public short narrow(int x) {
        return (short) x;
    }

    @Override
    public byte narrowByte(int x) {
        return (byte) x;
    }

    @Override
    public float third(float x) {
        return x / 3;
    }

    /** Not Serializable. */
    static final class Opaque {
        int x = 1;
    }

    @Override
    public Object unwritable() {
        return new Opaque();
    }

    @Override
    public java.sql.Timestamp later(java.sql.Timestamp t, long millis) {
        return new java.sql.Timestamp(t.getTime() + millis);
    }

    @Override
    public String timeOf(List<Date> ds) {
        List<String> out = new ArrayList<>();
        for (Object o : ds) {
            out.add(o == null ? "null" : o.getClass().getName() + ":" + ((Date) o).getTime());
        }
        return String.join(",", out);
    }

    @Override
    public java.util.Set<Role> roleSet() {
        return java.util.EnumSet.of(Role.ADMIN, Role.GUEST);
    }

    @Override
    public void throwCauses(int n) {
        RuntimeException e = new RuntimeException("level 0");
        for (int i = 1; i < n; i++) {
            e = new RuntimeException("level " + i, e);
        }
        throw e;
    }

    @Override
    public void throwMessage(String msg) {
        throw new IllegalStateException(msg);
    }
}
