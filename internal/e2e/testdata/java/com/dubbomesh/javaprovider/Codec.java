package com.dubbomesh.javaprovider;

import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.Hessian2Output;
import com.caucho.hessian.io.SerializerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Dubbo 2 frames and their hessian2 bodies, as Dubbo 2.7's ExchangeCodec and
 * DubboCodec write them, on Caucho Hessian with one shared SerializerFactory
 * (Dubbo's Hessian2ObjectInput/Output do the same with theirs). Stateless
 * and safe for concurrent use.
 */
final class Codec {
    static final int HEADER = 16;
    static final short MAGIC = (short) 0xdabb;
    static final byte FLAG_REQUEST = (byte) 0x80;
    static final byte FLAG_TWOWAY = 0x40;
    static final byte FLAG_EVENT = 0x20;
    static final int SERIALIZATION_MASK = 0x1f;
    static final byte HESSIAN2 = 2;

    static final byte OK = 20;
    static final byte BAD_REQUEST = 40;
    static final byte BAD_RESPONSE = 50;
    static final byte SERVICE_ERROR = 70;

    static final int RESPONSE_WITH_EXCEPTION = 0;
    static final int RESPONSE_VALUE = 1;
    static final int RESPONSE_NULL_VALUE = 2;
    static final int RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS = 3;
    static final int RESPONSE_VALUE_WITH_ATTACHMENTS = 4;
    static final int RESPONSE_NULL_VALUE_WITH_ATTACHMENTS = 5;

    /** Dubbo's Version.getProtocolVersion(). */
    static final String PROTOCOL_VERSION = "2.0.2";
    /** Dubbo's payload default: 8 MiB. */
    static final int MAX_BODY = 8 << 20;

    static final SerializerFactory FACTORY = new SerializerFactory();

    private Codec() {
    }

    static Hessian2Input input(byte[] body) {
        Hessian2Input in = new Hessian2Input(new ByteArrayInputStream(body));
        in.setSerializerFactory(FACTORY);
        return in;
    }

    /** A frame: header then body. */
    static byte[] frame(byte flag, byte status, long id, byte[] body) {
        byte[] f = new byte[HEADER + body.length];
        f[0] = (byte) (MAGIC >> 8);
        f[1] = (byte) MAGIC;
        f[2] = flag;
        f[3] = status;
        for (int i = 0; i < 8; i++) {
            f[4 + i] = (byte) (id >>> (56 - 8 * i));
        }
        int n = body.length;
        f[12] = (byte) (n >>> 24);
        f[13] = (byte) (n >>> 16);
        f[14] = (byte) (n >>> 8);
        f[15] = (byte) n;
        System.arraycopy(body, 0, f, HEADER, n);
        return f;
    }

    /** A heartbeat answer: an event response whose body is hessian null. */
    static byte[] heartbeatResponse(long id) throws IOException {
        return frame((byte) (FLAG_EVENT | HESSIAN2), OK, id, hessian(out -> out.writeObject(null)));
    }

    /** A response with a status other than OK: the body is the message as a string. */
    static byte[] errorResponse(long id, byte status, String message) throws IOException {
        return frame(HESSIAN2, status, id, hessian(out -> out.writeString(message)));
    }

    /**
     * An OK response, DubboCodec.encodeResponseData: the flag as a hessian
     * int, then the value (none when null) or the exception, then, when the
     * request's dubbo version supports it, the attachments {dubbo: 2.0.2}.
     */
    static byte[] resultResponse(long id, String requestVersion, Object value, Throwable exception) throws IOException {
        boolean attach = isSupportResponseAttachment(requestVersion);
        return frame(HESSIAN2, OK, id, hessian(out -> {
            if (exception == null) {
                if (value == null) {
                    out.writeInt(attach ? RESPONSE_NULL_VALUE_WITH_ATTACHMENTS : RESPONSE_NULL_VALUE);
                } else {
                    out.writeInt(attach ? RESPONSE_VALUE_WITH_ATTACHMENTS : RESPONSE_VALUE);
                    out.writeObject(value);
                }
            } else {
                out.writeInt(attach ? RESPONSE_WITH_EXCEPTION_WITH_ATTACHMENTS : RESPONSE_WITH_EXCEPTION);
                out.writeObject(exception);
            }
            if (attach) {
                Map<String, Object> attachments = new HashMap<>();
                attachments.put("dubbo", PROTOCOL_VERSION);
                out.writeObject(attachments);
            }
        }));
    }

    interface Body {
        void write(Hessian2Output out) throws IOException;
    }

    private static byte[] hessian(Body body) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bo);
        out.setSerializerFactory(FACTORY);
        body.write(out);
        out.flushBuffer();
        return bo.toByteArray();
    }

    /**
     * Dubbo 2.7.8's Version.isSupportResponseAttachment: versions 2.0.2 to
     * 2.0.99 get the attachment flags (3, 4, 5).
     */
    static boolean isSupportResponseAttachment(String version) {
        if (version == null || version.isEmpty()) {
            return false;
        }
        int v = intVersion(version);
        return v >= 2000200 && v <= 2009900;
    }

    /** Version.getIntVersion: "2.0.2" is 2000200; text it cannot read is 1.0.0. */
    static int intVersion(String version) {
        try {
            String[] parts = version.split("\\.");
            int v = 0;
            for (int i = 0; i < parts.length; i++) {
                String digits = parts[i].replaceFirst("^(\\d*).*$", "$1");
                if (!digits.isEmpty()) {
                    v += Integer.parseInt(digits) * (int) Math.pow(10, (parts.length - i - 1) * 2);
                }
            }
            return parts.length == 3 ? v * 100 : v;
        } catch (RuntimeException e) {
            return 10000;
        }
    }

    /**
     * Dubbo's StringUtils.toString(Throwable): the class name and message on
     * one line, then the stack trace. Callers show its first line.
     */
    static String toString(Throwable e) {
        StringWriter w = new StringWriter();
        PrintWriter p = new PrintWriter(w);
        p.print(e.getClass().getName());
        if (e.getMessage() != null) {
            p.print(": " + e.getMessage());
        }
        p.println();
        e.printStackTrace(p);
        p.flush();
        return w.toString();
    }
}
