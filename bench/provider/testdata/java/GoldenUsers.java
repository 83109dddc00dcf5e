import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.Hessian2Output;
import com.caucho.hessian.io.SerializerFactory;
import com.dubbomesh.demo.Role;
import com.dubbomesh.demo.User;
import com.dubbomesh.demo.UserService;
import com.dubbomesh.demo.UserServiceImpl;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the golden files of bench/provider's UserService test: for each
 * case, <name>.args holds the arguments as one hessian2 stream (what a
 * consumer sends after the descriptor) and <name>.result the result that
 * Java's UserServiceImpl returns for them, written by Caucho Hessian's
 * Hessian2Output (what a Java provider sends after the response flag). The
 * arguments are read back as Dubbo's DecodeableRpcInvocation does, each
 * with Hessian2Input.readObject(declared class), so the result is what Java
 * makes of those bytes. cases.txt lists "name method descriptor".
 *
 * Regenerate from the repository root (JDK 17 and libhessian-java):
 *
 *   javac -cp /usr/share/java/hessian.jar -sourcepath internal/e2e/testdata/java \
 *       -d /tmp/golden bench/provider/testdata/java/GoldenUsers.java
 *   java -cp /tmp/golden:/usr/share/java/hessian.jar:internal/e2e/testdata/java \
 *       GoldenUsers bench/provider/testdata/golden
 */
public final class GoldenUsers {
    static final SerializerFactory FACTORY = new SerializerFactory();
    static final long EPOCH = 1_700_000_000_000L;

    public static void main(String[] argv) throws Exception {
        Path dir = Path.of(argv[0]);
        Files.createDirectories(dir);
        UserService svc = new UserServiceImpl("default");
        try (PrintWriter cases = new PrintWriter(Files.newBufferedWriter(dir.resolve("cases.txt")))) {
            GoldenUsers g = new GoldenUsers(dir, svc, cases);
            g.run("getUser_1", "getUser", 1L);
            g.run("getUser_0", "getUser", 0L);
            g.run("getUser_999", "getUser", 999L);
            g.run("getUser_negative", "getUser", -7L);
            g.run("getUser_large", "getUser", 123456789012L);
            g.run("roleOf_2", "roleOf", 2L);
            g.run("count", "count");
            g.run("create_typed_role", "create", "alice", Role.ADMIN);
            g.run("create_map_role", "create", "bob", map("name", "GUEST"));
            g.run("find_limit", "find", map("limit", 5));
            g.run("find_role_name", "find", map("role", "ADMIN", "limit", 4));
            g.run("find_role_map", "find", map("role", map("name", "GUEST")));
            g.run("find_role_typed", "find", map("role", Role.MEMBER, "limit", 2));
            g.run("byName", "byName", list("bob", "alice", "carol", "dave", "bob", "\u00e9mile"));
            g.run("shift", "shift", new Date(EPOCH + 5), 1000L);
            g.run("shift_minute", "shift", new Date(EPOCH - 20_000), 0L);
            g.run("add", "add", map("value", "1.10"), map("value", "2.205"));
            g.run("add_exponent", "add", new BigDecimal("1E+3"), new BigDecimal("1"));
            g.run("add_small", "add", new BigDecimal("-0.000123"), new BigDecimal("0.0000001"));
            g.run("sum_typed", "sum", new int[] {1, 2, 3, -4});
            g.run("sum_list", "sum", list(5, 6, 7));
            g.run("split", "split", "a,b,,c,,");
            g.run("split_empty", "split", "");
            g.run("split_commas", "split", ",,");
            g.run("echo_map", "echo", meshUser());
            g.run("echo_typed", "echo", svc.getUser(5));
            g.run("echo_partial", "echo", map("name", "x", "lucky", list(), "tags", list("t", null)));
            g.run("echo_null", "echo", (Object) null);
            g.run("touch", "touch", map("id", 3));
        }
    }

    /** A User as the mesh sends one: untyped maps and lists, the enum, decimal and date as the contract says. */
    static Map<String, Object> meshUser() {
        Map<String, Object> u = new HashMap<>();
        u.put("id", 42);
        u.put("name", "Zo\u00eb \ud83d\ude00");
        u.put("role", map("name", "ADMIN"));
        u.put("address", map("street", "1 Rue", "city", "Paris", "zip", "75001", "extra", true));
        u.put("tags", list("a", "b"));
        u.put("scores", map("math", 1, "art", 2, "music", 3, "history", 4));
        u.put("created", new Date(EPOCH + 123));
        u.put("balance", map("value", "12.30"));
        u.put("lucky", list(4, 8, 15));
        u.put("previous", list(map("street", "2 Old Rd", "city", "Lyon", "zip", "69001")));
        u.put("unknown", list(1, 2));
        return u;
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static List<Object> list(Object... xs) {
        return new ArrayList<>(Arrays.asList(xs));
    }

    private final Path dir;
    private final UserService svc;
    private final PrintWriter cases;

    GoldenUsers(Path dir, UserService svc, PrintWriter cases) {
        this.dir = dir;
        this.svc = svc;
        this.cases = cases;
    }

    void run(String name, String method, Object... args) throws Exception {
        Method m = null;
        for (Method c : UserService.class.getMethods()) {
            if (c.getName().equals(method)) {
                m = c;
            }
        }
        byte[] argBytes = write(out -> {
            for (Object a : args) {
                out.writeObject(a);
            }
        });
        Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(argBytes));
        in.setSerializerFactory(FACTORY);
        Class<?>[] types = m.getParameterTypes();
        Object[] decoded = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            decoded[i] = in.readObject(types[i]);
        }
        Object result = m.invoke(svc, decoded);
        byte[] resultBytes = write(out -> out.writeObject(result));
        Files.write(dir.resolve(name + ".args"), argBytes);
        Files.write(dir.resolve(name + ".result"), resultBytes);
        cases.println(name + " " + method + " " + descriptor(types));
    }

    static String descriptor(Class<?>[] types) {
        StringBuilder sb = new StringBuilder();
        for (Class<?> t : types) {
            sb.append(desc(t));
        }
        return sb.toString();
    }

    static String desc(Class<?> t) {
        if (t == long.class) return "J";
        if (t == int.class) return "I";
        if (t.isArray()) return "[" + desc(t.getComponentType());
        return "L" + t.getName().replace('.', '/') + ";";
    }

    interface Body {
        void write(Hessian2Output out) throws IOException;
    }

    static byte[] write(Body b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bo);
        out.setSerializerFactory(FACTORY);
        b.write(out);
        out.flushBuffer();
        return bo.toByteArray();
    }
}
