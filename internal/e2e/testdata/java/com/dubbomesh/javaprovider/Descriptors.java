package com.dubbomesh.javaprovider;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JVM descriptors as Dubbo 2.7's ReflectUtils reads and writes them. */
final class Descriptors {
    private static final String IDENT = "(?:[_$a-zA-Z][_$a-zA-Z0-9]*)";
    private static final String CLASS_DESC = "(?:L" + IDENT + "(?:\\/" + IDENT + ")*;)";
    private static final String ARRAY_DESC = "(?:\\[+(?:(?:[VZBCDFIJS])|" + CLASS_DESC + "))";
    /** ReflectUtils.DESC_PATTERN: one descriptor. */
    private static final Pattern DESC = Pattern.compile("(?:(?:[VZBCDFIJS])|" + CLASS_DESC + "|" + ARRAY_DESC + ")");

    static final Class<?>[] EMPTY = new Class<?>[0];

    private Descriptors() {
    }

    /** ReflectUtils.getDesc(Class[]): "Ljava/lang/String;I[J". */
    static String desc(Class<?>[] types) {
        StringBuilder b = new StringBuilder();
        for (Class<?> c : types) {
            b.append(desc(c));
        }
        return b.toString();
    }

    /** ReflectUtils.getDesc(Class). */
    static String desc(Class<?> c) {
        StringBuilder b = new StringBuilder();
        while (c.isArray()) {
            b.append('[');
            c = c.getComponentType();
        }
        if (c.isPrimitive()) {
            switch (c.getName()) {
                case "void": b.append('V'); break;
                case "boolean": b.append('Z'); break;
                case "byte": b.append('B'); break;
                case "char": b.append('C'); break;
                case "double": b.append('D'); break;
                case "float": b.append('F'); break;
                case "int": b.append('I'); break;
                case "long": b.append('J'); break;
                case "short": b.append('S'); break;
                default: throw new IllegalArgumentException(c.getName());
            }
        } else {
            b.append('L').append(c.getName().replace('.', '/')).append(';');
        }
        return b.toString();
    }

    /**
     * ReflectUtils.desc2classArray: each descriptor the pattern finds, in
     * order (text between matches is skipped, as Dubbo skips it), loaded
     * with Class.forName.
     */
    static Class<?>[] desc2classArray(String desc) throws ClassNotFoundException {
        if (desc.length() == 0) {
            return EMPTY;
        }
        List<Class<?>> out = new ArrayList<>();
        Matcher m = DESC.matcher(desc);
        while (m.find()) {
            out.add(desc2class(m.group()));
        }
        return out.toArray(EMPTY);
    }

    private static Class<?> desc2class(String desc) throws ClassNotFoundException {
        switch (desc.charAt(0)) {
            case 'V': return void.class;
            case 'Z': return boolean.class;
            case 'B': return byte.class;
            case 'C': return char.class;
            case 'D': return double.class;
            case 'F': return float.class;
            case 'I': return int.class;
            case 'J': return long.class;
            case 'S': return short.class;
            case 'L':
                // "Ljava/lang/Object;" is loaded as "java.lang.Object".
                return Class.forName(desc.substring(1, desc.length() - 1).replace('/', '.'), true, Descriptors.class.getClassLoader());
            case '[':
                // "[[Ljava/lang/Object;" is loaded as "[[Ljava.lang.Object;".
                return Class.forName(desc.replace('/', '.'), true, Descriptors.class.getClassLoader());
            default:
                throw new ClassNotFoundException("Class not found: " + desc);
        }
    }
}
