<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** UNKNOWN_KEY_ID: the token names another key id than the expected one. */
class UnknownKeyIdException extends TokenException
{
}
