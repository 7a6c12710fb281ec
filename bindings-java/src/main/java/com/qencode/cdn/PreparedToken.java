package com.qencode.cdn;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The first half of a two-phase signature ({@link Signer#prepare}): the exact
 * bytes to sign with RS256, for a signer that answers asynchronously (a KMS
 * client returning a {@code CompletableFuture}). Sign
 * {@link #signingInput()} anywhere, then {@link #finish(byte[])} checks the
 * signature with the signer's public key and returns the token.
 *
 * <pre>{@code
 * PreparedToken p = signer.prepare("videos/a/", options);
 * CompletableFuture<String> token = kms.signAsync(p.signingInput())   // CompletableFuture<byte[]>
 *         .orTimeout(5, TimeUnit.SECONDS)
 *         .thenApply(p::finish);
 * }</pre>
 *
 * <p>Immutable and thread-safe; it holds no key material (the signing input
 * is the token without its signature).
 */
public final class PreparedToken {
    private final Signer signer;
    private final String signingInput;
    final byte[] cSigningInput;

    PreparedToken(Signer signer, String signingInput) {
        this.signer = signer;
        this.signingInput = signingInput;
        this.cSigningInput = CStrings.of(signingInput, "signing input");
    }

    /** The ASCII bytes to sign ({@code base64url(header) "." base64url(payload)}), a fresh copy each call. */
    public byte[] signingInput() {
        return Arrays.copyOf(cSigningInput, cSigningInput.length - 1);
    }

    /** {@link #signingInput()} as text. */
    public String signingInputText() {
        return signingInput;
    }

    /** The signer that prepared this (its {@link Signer#finish} is {@link #finish(byte[])}). */
    public Signer signer() {
        return signer;
    }

    /**
     * The token, once {@code signature} (the raw RS256 signature of
     * {@link #signingInput()}) verifies with the signer's public key.
     *
     * @throws SignerFailedException the signature has the wrong length or does not verify
     */
    public String finish(byte[] signature) {
        return signer.finish(this, signature);
    }

    @Override
    public String toString() {
        return "PreparedToken[keyId=" + signer.keyId() + ", "
                + signingInput.getBytes(StandardCharsets.US_ASCII).length + " bytes to sign]";
    }
}
