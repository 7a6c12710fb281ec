<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** TOKEN_EXPIRED: `exp` has passed (beyond the leeway). */
class TokenExpiredException extends TokenException
{
}
