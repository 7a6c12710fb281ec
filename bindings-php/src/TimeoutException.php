<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** TIMEOUT: a deadline passed. */
class TimeoutException extends QencodeException
{
}
