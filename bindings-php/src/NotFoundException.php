<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** NOT_FOUND: HTTP 404 from the API. */
class NotFoundException extends ApiException
{
}
