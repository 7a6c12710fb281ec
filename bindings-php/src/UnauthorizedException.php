<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** UNAUTHORIZED: HTTP 401/403 from the API after one access-token renewal. */
class UnauthorizedException extends ApiException
{
}
