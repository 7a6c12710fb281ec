<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** INVALID_SIGNATURE: the signature does not verify, or the algorithm is not RS256. */
class InvalidSignatureException extends TokenException
{
}
