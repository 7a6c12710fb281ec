package com.qencode.cdn;

/**
 * Makes RS256 signatures with a private key held elsewhere — a cloud KMS, an
 * HSM, Vault, a signing service — for {@link Signer#external}. The library
 * builds each token, asks for its signature here, and <b>verifies the
 * signature with the public key before it returns a token</b>: an exception,
 * a {@code null}, the wrong number of bytes, or bytes that are not this key's
 * RS256 signature is a {@link SignerFailedException}, never a token.
 *
 * <pre>{@code
 * ExternalSigner kms = input -> kmsClient.sign(r -> r.keyId(keyArn)
 *         .message(SdkBytes.fromByteArray(input))
 *         .messageType(MessageType.RAW)
 *         .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)).signature().asByteArray();
 * }</pre>
 *
 * <p><b>Threads:</b> {@link #sign} runs on the thread that asked for the
 * token, inside that call ({@link Signer#signMany} also calls it from the
 * batch's threads), possibly on several threads at once: it must be
 * thread-safe. No deadline is imposed on it: bound it in your client (every
 * KMS SDK has a call timeout), or sign in two steps with
 * {@link Signer#prepare} and a {@code CompletableFuture} with
 * {@code orTimeout}.
 */
@FunctionalInterface
public interface ExternalSigner {
    /**
     * The raw RS256 signature (RSASSA-PKCS1-v1_5 with SHA-256) of
     * {@code signingInput}: exactly as many bytes as the key's modulus (256
     * for RSA-2048, 512 for RSA-4096).
     *
     * @param signingInput the ASCII bytes to sign ({@code base64url(header) "." base64url(payload)}), a fresh copy
     * @return the signature
     * @throws Exception any failure: it becomes the cause of the {@link SignerFailedException}, and its class
     *     and message (cut at 500 characters) part of that exception's message, so put no secret in it
     */
    byte[] sign(byte[] signingInput) throws Exception;

    /**
     * Called exactly once, when the library will never call {@link #sign}
     * again: when the last signer sharing this one is closed or freed (the
     * signer made by {@link Signer#external} and every {@link Signer#cached}
     * signer made from it), on the thread that frees it (a
     * {@code close()}, or the {@code Cleaner}'s thread). Close a client that
     * belongs to this signer here. The default does nothing; an exception
     * thrown here is dropped.
     */
    default void released() {
    }
}
