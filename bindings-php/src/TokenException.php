<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** Base of the verification errors (MALFORMED_TOKEN, INVALID_SIGNATURE, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID, URI_MISMATCH, UNKNOWN_KEY_ID). */
class TokenException extends QencodeException
{
}
