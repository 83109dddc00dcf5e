package com.alibaba.dubbo.performance.demo.provider;

/** The race's service: the mesh's original and fastest path. */
public interface IHelloService {
    /** Returns str.hashCode(). */
    int hash(String str);
}
