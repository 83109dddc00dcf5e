package com.alibaba.dubbo.performance.demo.provider;

/** IHelloService as the race's Java provider implemented it, without the sleep. */
public final class HelloServiceImpl implements IHelloService {
    @Override
    public int hash(String str) {
        return str.hashCode();
    }
}
