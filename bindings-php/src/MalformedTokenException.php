<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** MALFORMED_TOKEN: not three base64url parts of JSON with a `uri` claim. */
class MalformedTokenException extends TokenException
{
}
