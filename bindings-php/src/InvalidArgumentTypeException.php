<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** INVALID_ARGUMENT for an option of the wrong type, such as `"expires_in" => "600"` or `"expires_in" => null` (a missing configuration value never means "never expires"). */
class InvalidArgumentTypeException extends InvalidArgumentException
{
}
