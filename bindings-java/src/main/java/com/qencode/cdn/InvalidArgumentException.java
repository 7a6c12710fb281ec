package com.qencode.cdn;

/**
 * {@code INVALID_ARGUMENT}: a bad input caught before any I/O (a malformed
 * host name, a lifetime given as {@code null}, a time in milliseconds, a
 * custom claim named {@code exp}, …). An {@link IllegalArgumentException}, as
 * Java expects of a wrong argument, with the stable {@link #code()}.
 * {@link InvalidArgumentTypeException} marks a value of the wrong kind.
 */
public class InvalidArgumentException extends IllegalArgumentException implements QencodeError {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong ({@code "INVALID_ARGUMENT: "} is prefixed when missing)
     */
    public InvalidArgumentException(String message) {
        super(Errors.prefixed(ErrorCode.INVALID_ARGUMENT, message));
    }

    @Override
    public ErrorCode code() {
        return ErrorCode.INVALID_ARGUMENT;
    }

    /** True when the mistake is the kind of a value (a {@code null} lifetime, a claim that is no JSON value). */
    public boolean isTypeError() {
        return false;
    }
}
