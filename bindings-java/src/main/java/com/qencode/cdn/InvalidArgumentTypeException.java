package com.qencode.cdn;

/**
 * {@code INVALID_ARGUMENT} for a value of the wrong kind, such as
 * {@code expiresIn(null)}: a missing configuration value never means "never
 * expires" nor the default.
 */
public class InvalidArgumentTypeException extends InvalidArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong */
    public InvalidArgumentTypeException(String message) {
        super(message);
    }

    @Override
    public boolean isTypeError() {
        return true;
    }
}
