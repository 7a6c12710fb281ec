<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** TRANSPORT: DNS, connect, TLS or a reset connection. */
class TransportException extends QencodeException
{
}
