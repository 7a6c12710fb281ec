<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** TOKEN_NOT_YET_VALID: `nbf` is still in the future (beyond the leeway). */
class TokenNotYetValidException extends TokenException
{
}
