<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;

/**
 * The first half of a two-phase signature ({@see Signer::prepare()}): the
 * exact bytes to sign, for signers that answer asynchronously (a KMS call
 * awaited in a Fiber, Amp or ReactPHP, or many of them at once with
 * `curl_multi`). Sign `$signingInput` with RS256 (RSASSA-PKCS1-v1_5 with
 * SHA-256) wherever the key is, then `finish()` with the signature.
 */
final class PreparedToken
{
    /** The ASCII bytes to sign: `base64url(header) "." base64url(payload)`. */
    public readonly string $signingInput;

    /** @internal made by Signer::prepare() */
    public function __construct(private readonly Signer $signer, string $signingInput)
    {
        $this->signingInput = $signingInput;
    }

    /**
     * The token, once `$signature` (the raw RS256 signature bytes) verifies
     * with the signer's public key.
     *
     * @throws SignerFailedException the signature has the wrong length or does not verify (another key, another input, garbage)
     * @throws InvalidArgumentException a signing input this signer did not prepare
     */
    public function finish(string $signature): string
    {
        $ffi = Native::ffi();
        $buf = Native::bytes($signature);
        $out = Native::outString();
        Native::check($ffi->qcdn_signer_finish($this->signer->handle(), $this->signingInput, $buf, strlen($signature), \FFI::addr($out)));
        return Native::take($out);
    }

    /** @return array<string, mixed> */
    public function __debugInfo(): array
    {
        return ['signingInput' => $this->signingInput, 'signer' => $this->signer];
    }
}
