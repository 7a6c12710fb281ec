package com.qencode.cdn;

/** {@code TRANSPORT}: DNS, connect, TLS or a reset connection. */
public class TransportException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public TransportException(String message) {
        super(ErrorCode.TRANSPORT, message);
    }
}
