<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** INVALID_KEY: a key that cannot be parsed, is not RSA or is too small; the message says which format was seen, never the key bytes. */
class InvalidKeyException extends QencodeException
{
}
