package org.apache.dubbo.rpc;

/**
 * Named as Dubbo 2.7 names it, so that the text of a "Failed to invoke
 * remote proxy method" answer starts exactly as a real Dubbo provider's does.
 */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
