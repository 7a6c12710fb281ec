<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** RATE_LIMITED: HTTP 429 after the retries; `$retryAfter` is the server's hint in seconds (or null). */
class RateLimitedException extends ApiException
{
    public readonly int|float|null $retryAfter;

    /** @internal */
    public function __construct(
        string $message,
        string $errorCode,
        int $statusCode,
        ?int $status = null,
        ?string $body = null,
        ?string $requestId = null,
        int|float|null $retryAfter = null,
    ) {
        parent::__construct($message, $errorCode, $statusCode, $status, $body, $requestId);
        $this->retryAfter = $retryAfter;
    }
}
