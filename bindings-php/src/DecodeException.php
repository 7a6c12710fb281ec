<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** DECODE: the server's answer is not what the API documents. */
class DecodeException extends QencodeException
{
}
