<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * The outcome of one item of {@see Signer::signMany()}: a token, or the
 * exception that item got. `token()` throws that exception for a failed
 * item, so a failure never turns into a URL by accident.
 */
final class SignResult
{
    /** True when the item was signed. */
    public readonly bool $ok;

    /** The item's exception, or null when it was signed. */
    public readonly ?QencodeException $error;

    private readonly ?string $token;

    /** @internal made by Signer::signMany() */
    public function __construct(?string $token, ?QencodeException $error)
    {
        $this->ok = $token !== null;
        $this->token = $token;
        $this->error = $token === null ? $error : null;
    }

    /**
     * The token.
     *
     * @throws QencodeException the item's error, when it failed
     */
    public function token(): string
    {
        return $this->token ?? throw $this->error ?? new InternalException('INTERNAL: a batch result has neither token nor error', 'INTERNAL', 16);
    }

    /** @return array<string, mixed> the token is a credential: not shown */
    public function __debugInfo(): array
    {
        return $this->ok ? ['ok' => true, 'token' => '<redacted>'] : ['ok' => false, 'error' => $this->error];
    }
}
