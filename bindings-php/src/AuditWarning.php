<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * Something a token grants that may be more than meant: `code` is one of
 * `PREFIX_COVERS_SIBLINGS`, `WHOLE_BUCKET`, `NEVER_EXPIRES`, `LONG_LIFETIME`,
 * `LEADING_SLASH`; `message` says it in words.
 */
final class AuditWarning
{
    public function __construct(
        public readonly string $code,
        public readonly string $message,
    ) {
    }

    /** @param array{code: string, message: string} $doc */
    public static function fromArray(array $doc): self
    {
        return new self($doc['code'], $doc['message']);
    }

    /** @return array{code: string, message: string} */
    public function toArray(): array
    {
        return ['code' => $this->code, 'message' => $this->message];
    }
}
