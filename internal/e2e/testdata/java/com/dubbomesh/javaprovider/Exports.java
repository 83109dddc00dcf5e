package com.dubbomesh.javaprovider;

import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The services this provider exports: Dubbo 2.7's exporterMap (keyed by
 * service key: group, interface, version and port) and its
 * ServiceRepository (interface name to methods by name and descriptor).
 * Filled before the server starts; safe for concurrent reads after that.
 */
final class Exports {
    /** One export: an implementation of an interface under a group and version. */
    static final class Exporter {
        final Class<?> type;
        final Object impl;
        final String url;

        Exporter(Class<?> type, Object impl, String url) {
            this.type = type;
            this.impl = impl;
            this.url = url;
        }
    }

    private final int port;
    private final Map<String, Exporter> exporterMap = new ConcurrentHashMap<>();
    /** Interface name -> method name -> parameter descriptor -> method. */
    private final Map<String, Map<String, Map<String, Method>>> repository = new ConcurrentHashMap<>();

    Exports(int port) {
        this.port = port;
    }

    /** Exports impl as type under group and version ("" for none). */
    void export(Class<?> type, Object impl, String group, String version) {
        Map<String, Map<String, Method>> methods = new HashMap<>();
        Set<String> names = new TreeSet<>();
        for (Method m : type.getMethods()) {
            methods.computeIfAbsent(m.getName(), k -> new HashMap<>()).put(Descriptors.desc(m.getParameterTypes()), m);
            names.add(m.getName());
        }
        repository.put(type.getName(), methods);
        StringBuilder url = new StringBuilder("dubbo://127.0.0.1:").append(port).append('/').append(type.getName())
                .append("?anyhost=true&application=dubbomesh-java-provider&dubbo=2.0.2");
        if (!group.isEmpty()) {
            url.append("&group=").append(group);
        }
        url.append("&interface=").append(type.getName()).append("&methods=").append(String.join(",", names))
                .append("&side=provider");
        if (!version.isEmpty()) {
            url.append("&version=").append(version);
        }
        exporterMap.put(serviceKey(type.getName(), version, group), new Exporter(type, impl, url.toString()));
    }

    /** ProtocolUtils.serviceKey: [group/]path[:version]:port, version 0.0.0 left out. */
    String serviceKey(String path, String version, String group) {
        StringBuilder b = new StringBuilder();
        if (group != null && !group.isEmpty()) {
            b.append(group).append('/');
        }
        b.append(path);
        if (version != null && !version.isEmpty() && !"0.0.0".equals(version)) {
            b.append(':').append(version);
        }
        return b.append(':').append(port).toString();
    }

    /** DubboProtocol.getInvoker's lookup; null when nothing is exported under the key. */
    Exporter exporter(String serviceKey) {
        return exporterMap.get(serviceKey);
    }

    /** The exporterMap's keys as Dubbo prints them in "Not found exported service". */
    String keys() {
        return exporterMap.keySet().toString();
    }

    /**
     * ServiceRepository.lookupService(path).getMethod(method, desc): the
     * interface's method with this name and exact parameter descriptor, or
     * null.
     */
    Method lookup(String path, String method, String desc) {
        Map<String, Map<String, Method>> methods = repository.get(path);
        if (methods == null) {
            return null;
        }
        Map<String, Method> byDesc = methods.get(method);
        return byDesc == null ? null : byDesc.get(desc);
    }
}
