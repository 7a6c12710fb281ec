<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * Base of every qencode-cdn error (the error table of DESIGN §5, one for
 * every language).
 *
 * - `$e->errorCode` is the stable code string (`"INVALID_ARGUMENT"`,
 *   `"TOKEN_EXPIRED"`, …): match on it, never on the message.
 * - `$e->getCode()` is the C library's `qcdn_status` number for that code.
 * - `$e->status` is the HTTP status of an error the API answered (the
 *   {@see ApiException} family), `null` for every other error.
 *
 * Messages never contain key material, API keys or access tokens, and the
 * stack trace keeps no arguments of this package's own frames (a PEM passed
 * to {@see Signer::fromPem()} never shows up in `var_dump($e)` or a log).
 */
class QencodeException extends \RuntimeException
{
    /** The stable error code string. */
    public readonly string $errorCode;

    /** HTTP status of an API answer, else null. */
    public readonly ?int $status;

    /** @internal Built by the package from the library's error details. */
    public function __construct(string $message, string $errorCode, int $statusCode, ?int $status = null, ?\Throwable $previous = null)
    {
        parent::__construct($message, $statusCode, $previous);
        $this->errorCode = $errorCode;
        $this->status = $status;
        $this->scrubTrace();
    }

    /**
     * Drops the arguments of this package's frames from the trace: they may
     * be private keys or API keys (PHP 8.2's #[\SensitiveParameter] does the
     * same for the parameters marked with it; this also covers PHP 8.1). The
     * frames of FFI calls too (an exception thrown inside an external
     * signer's callable): their arguments are C pointers that are no longer
     * valid once the call returned, which a dump would read.
     */
    private function scrubTrace(): void
    {
        $property = new \ReflectionProperty(\Exception::class, 'trace');
        $trace = $property->getValue($this);
        $changed = false;
        foreach ($trace as $i => $frame) {
            $owner = $frame['class'] ?? $frame['function'];
            if (isset($frame['args']) && ($owner === 'FFI' || str_starts_with($owner, 'Qencode\\Cdn\\'))) {
                unset($trace[$i]['args']);
                $changed = true;
            }
        }
        if ($changed) {
            $property->setValue($this, $trace);
        }
    }
}
