package com.qencode.cdn;

/** {@code INTERNAL}: a bug in qencode-cdn, or a caught panic. Please report it. */
public class InternalException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public InternalException(String message) {
        super(ErrorCode.INTERNAL, message);
    }
}
