package com.dubbomesh.javaprovider;

import java.util.Collections;
import java.util.Map;

/** The attachments of the call running on this thread, like Dubbo's RpcContext. */
public final class RpcContext {
    private static final ThreadLocal<Map<String, Object>> ATTACHMENTS = new ThreadLocal<>();

    private RpcContext() {
    }

    /** The current call's attachments (read-only); empty outside a call. */
    public static Map<String, Object> attachments() {
        Map<String, Object> m = ATTACHMENTS.get();
        return m == null ? Collections.emptyMap() : Collections.unmodifiableMap(m);
    }

    static void set(Map<String, Object> attachments) {
        if (attachments == null) {
            ATTACHMENTS.remove();
        } else {
            ATTACHMENTS.set(attachments);
        }
    }
}
