<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * API_ERROR: a non-success answer of the API. `$status` is the HTTP status,
 * `$body` the server's response body (capped), `$requestId` its request id.
 * Subclassed by {@see UnauthorizedException}, {@see NotFoundException} and
 * {@see RateLimitedException}.
 */
class ApiException extends QencodeException
{
    public readonly ?string $body;
    public readonly ?string $requestId;

    /** @internal */
    public function __construct(string $message, string $errorCode, int $statusCode, ?int $status = null, ?string $body = null, ?string $requestId = null)
    {
        parent::__construct($message, $errorCode, $statusCode, $status);
        $this->body = $body;
        $this->requestId = $requestId;
    }
}
