package com.dubbomesh.javaprovider;

import com.caucho.hessian.io.Hessian2Input;

import org.apache.dubbo.remoting.RemotingException;
import org.apache.dubbo.rpc.RpcException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Socket;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One decoded call, and its invocation: Dubbo 2.7.8's
 * DecodeableRpcInvocation, DubboProtocol.getInvoker, the echo filter and the
 * Javassist wrapper, step for step. Used by one thread at a time.
 */
final class Invocation {
    private static final String GENERIC_DESC = "Ljava/lang/String;[Ljava/lang/String;[Ljava/lang/Object;";
    private static final String ECHO_DESC = "Ljava/lang/Object;";

    String dubboVersion;
    String method;
    String desc;
    Class<?>[] parameterTypes = Descriptors.EMPTY;
    Object[] arguments = new Object[0];
    /** RpcInvocation's attachments: dubbo, path, version, then the request's map. */
    final Map<String, Object> attachments = new HashMap<>();

    /** What a call came to: a value, or an exception the method threw. */
    static final class Result {
        final Object value;
        final Throwable exception;

        Result(Object value, Throwable exception) {
            this.value = value;
            this.exception = exception;
        }
    }

    /**
     * DecodeableRpcInvocation.decode. A method the repository does not know
     * (by interface, name and exact descriptor) is "Service not found",
     * unless it is $echo or $invoke. Each argument is read with
     * readObject(declared class). Dubbo logs an argument Hessian refuses and
     * passes null in its place; with strictArgs the refusal fails the
     * decoding instead, so a test sees Hessian's reason.
     */
    static Invocation decode(byte[] body, Exports exports, boolean strictArgs) throws Exception {
        Hessian2Input in = Codec.input(body);
        Invocation inv = new Invocation();
        inv.dubboVersion = in.readString();
        inv.attachments.put("dubbo", inv.dubboVersion);
        String path = in.readString();
        inv.attachments.put("path", path);
        inv.attachments.put("version", in.readString());
        inv.method = in.readString();
        inv.desc = in.readString();
        if (inv.desc.length() > 0) {
            Class<?>[] pts = Descriptors.EMPTY;
            Method m = exports.lookup(path, inv.method, inv.desc);
            if (m != null) {
                pts = m.getParameterTypes();
            } else {
                boolean generic = ("$invoke".equals(inv.method) || "$invokeAsync".equals(inv.method)) && GENERIC_DESC.equals(inv.desc);
                boolean echo = "$echo".equals(inv.method) && ECHO_DESC.equals(inv.desc);
                if (!generic && !echo) {
                    throw new IllegalArgumentException("Service not found:" + path + ", " + inv.method);
                }
                pts = Descriptors.desc2classArray(inv.desc);
            }
            Object[] args = new Object[pts.length];
            for (int i = 0; i < args.length; i++) {
                try {
                    args[i] = in.readObject(pts[i]);
                } catch (Exception e) {
                    if (strictArgs) {
                        throw e;
                    }
                    System.err.println("WARN Decode argument failed: " + e.getMessage());
                }
            }
            inv.parameterTypes = pts;
            inv.arguments = args;
        }
        Object map = in.readObject(Map.class);
        if (map instanceof Map && !((Map<?, ?>) map).isEmpty()) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) map).entrySet()) {
                inv.attachments.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        return inv;
    }

    /**
     * DubboProtocol.reply: find the export by service key, then invoke.
     * Throws what Dubbo answers with status 70 (SERVICE_ERROR): no export
     * under the key, or no method by that name on the implementation.
     */
    Result invoke(Exports exports, Socket socket) throws Exception {
        String path = (String) attachments.get("path");
        String key = exports.serviceKey(path, (String) attachments.get("version"), (String) attachments.get("group"));
        Exports.Exporter exporter = exports.exporter(key);
        if (exporter == null) {
            throw new RemotingException("Not found exported service: " + key + " in " + exports.keys()
                    + ", may be version or group mismatch , channel: consumer: " + socket.getRemoteSocketAddress()
                    + " --> provider: " + socket.getLocalSocketAddress() + ", message:" + this);
        }
        // EchoFilter.
        if ("$echo".equals(method) && arguments.length == 1) {
            return new Result(arguments[0], null);
        }
        Method m = wrapperMethod(exporter.impl.getClass());
        if (m == null) {
            Exception cause = new NoSuchMethodException("Not found method \"" + method + "\" in class "
                    + exporter.impl.getClass().getName() + ".");
            throw new RpcException("Failed to invoke remote proxy method " + method + " to " + exporter.url
                    + ", cause: " + cause.getMessage(), cause);
        }
        RpcContext.set(attachments);
        try {
            return new Result(m.invoke(exporter.impl, wrapperArgs(m)), null);
        } catch (InvocationTargetException e) {
            return new Result(null, e.getTargetException());
        } catch (ClassCastException | NullPointerException e) {
            return new Result(null, e);
        } finally {
            RpcContext.set(null);
        }
    }

    /**
     * The Javassist wrapper's choice: the public method with this name and
     * argument count (and parameter class names, when the name is
     * overloaded).
     */
    private Method wrapperMethod(Class<?> impl) {
        Method found = null;
        int sameName = 0;
        for (Method m : impl.getMethods()) {
            if (m.getDeclaringClass() != Object.class && m.getName().equals(method)) {
                sameName++;
            }
        }
        for (Method m : impl.getMethods()) {
            if (m.getDeclaringClass() == Object.class || !m.getName().equals(method)
                    || m.getParameterCount() != parameterTypes.length) {
                continue;
            }
            if (sameName > 1 && !Arrays.equals(m.getParameterTypes(), parameterTypes)) {
                continue;
            }
            found = m;
            break;
        }
        return found;
    }

    /**
     * The wrapper's casts: ((Number) a).longValue() for a numeric primitive,
     * ((Boolean) a), ((Byte) a), ((Character) a) for the others, (T) a for a
     * class. A null primitive is a NullPointerException and a wrong class a
     * ClassCastException, both thrown as the method's own exception.
     */
    private Object[] wrapperArgs(Method m) {
        Class<?>[] types = m.getParameterTypes();
        Object[] out = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            Class<?> t = types[i];
            Object a = arguments[i];
            if (!t.isPrimitive()) {
                out[i] = t.cast(a);
            } else if (t == boolean.class) {
                out[i] = ((Boolean) a).booleanValue();
            } else if (t == byte.class) {
                out[i] = ((Byte) a).byteValue();
            } else if (t == char.class) {
                out[i] = ((Character) a).charValue();
            } else if (t == double.class) {
                out[i] = ((Number) a).doubleValue();
            } else if (t == float.class) {
                out[i] = ((Number) a).floatValue();
            } else if (t == int.class) {
                out[i] = ((Number) a).intValue();
            } else if (t == long.class) {
                out[i] = ((Number) a).longValue();
            } else {
                out[i] = ((Number) a).shortValue();
            }
        }
        return out;
    }

    /** RpcInvocation.toString with the arguments left out, as getInvocationWithoutData does. */
    @Override
    public String toString() {
        return "RpcInvocation [methodName=" + method + ", parameterTypes=" + Arrays.toString(parameterTypes)
                + ", arguments=null, attachments=" + attachments + "]";
    }
}
