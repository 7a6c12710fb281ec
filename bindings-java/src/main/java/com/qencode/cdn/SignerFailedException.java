package com.qencode.cdn;

/**
 * {@code SIGNER_FAILED}: an external signer ({@link ExternalSigner}, a PKCS#11
 * token) failed, or gave a signature that does not verify with the public key
 * (the wrong length, another key's, not RS256, garbage), or a two-phase
 * {@link Signer#finish} got such a signature. No token is made. When an
 * {@link ExternalSigner} threw, that exception is the {@link #getCause() cause}.
 */
public class SignerFailedException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public SignerFailedException(String message) {
        super(ErrorCode.SIGNER_FAILED, message);
    }

    /**
     * @param message what happened
     * @param cause what the external signer threw
     */
    public SignerFailedException(String message, Throwable cause) {
        super(ErrorCode.SIGNER_FAILED, message);
        initCause(cause);
    }
}
