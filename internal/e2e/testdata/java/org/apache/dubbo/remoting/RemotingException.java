package org.apache.dubbo.remoting;

/**
 * Named as Dubbo 2.7 names it, so that the text of a "Not found exported
 * service" answer (StringUtils.toString of this exception) starts exactly as
 * a real Dubbo provider's does.
 */
public class RemotingException extends Exception {
    private static final long serialVersionUID = 1L;

    public RemotingException(String message) {
        super(message);
    }
}
