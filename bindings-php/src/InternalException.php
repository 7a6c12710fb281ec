<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** INTERNAL: a bug in qencode-cdn or a caught panic (please report it), or a library that cannot be loaded. */
class InternalException extends QencodeException
{
}
