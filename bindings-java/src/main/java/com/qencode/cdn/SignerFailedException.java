package com.qencode.cdn;

/** {@code SIGNER_FAILED}: an external signer failed or gave a signature that does not verify. */
public class SignerFailedException extends QencodeException {
    private static final long serialVersionUID = 1L;

    /** @param message what happened */
    public SignerFailedException(String message) {
        super(ErrorCode.SIGNER_FAILED, message);
    }
}
