<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** INVALID_ARGUMENT: a bad input caught before any I/O (a bad option, host name, NUL byte in a string…). */
class InvalidArgumentException extends QencodeException
{
}
