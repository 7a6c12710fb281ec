<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** URI_MISMATCH: the token does not cover the requested resource. */
class UriMismatchException extends TokenException
{
}
