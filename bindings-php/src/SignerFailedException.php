<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** SIGNER_FAILED: an external signer (HSM, KMS, a callable) failed or returned a signature that does not verify. */
class SignerFailedException extends QencodeException
{
}
