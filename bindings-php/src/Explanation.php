<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * Why the edge would accept or refuse a signed URL or token: every check in
 * order, passed or failed, with its reason in words, and the audit's
 * warnings (which never make `ok` false).
 */
final class Explanation
{
    /**
     * @param array<string, mixed>|null $resource `['kind' => 'live'|'storage', …]`
     * @param array<string, mixed>|null $claims the token's claims, when it could be read
     * @param list<Check> $checks
     * @param list<AuditWarning> $warnings
     */
    public function __construct(
        public readonly bool $ok,
        public readonly string $url,
        public readonly ?string $form,
        public readonly ?array $resource,
        public readonly ?string $keyId,
        public readonly ?array $claims,
        public readonly array $checks,
        public readonly array $warnings,
    ) {
    }

    /** @param array<string, mixed> $doc the library's explain document */
    public static function fromArray(array $doc): self
    {
        return new self(
            $doc['ok'],
            $doc['url'],
            $doc['form'] ?? null,
            $doc['resource'] ?? null,
            $doc['key_id'] ?? null,
            $doc['claims'] ?? null,
            array_map(Check::fromArray(...), $doc['checks']),
            array_map(AuditWarning::fromArray(...), $doc['warnings'] ?? []),
        );
    }

    /** The first check that failed, or null when the URL would be served. */
    public function firstFailure(): ?Check
    {
        foreach ($this->checks as $check) {
            if (!$check->passed) {
                return $check;
            }
        }
        return null;
    }

    /** The explanation as the document every language shares (snake_case keys). */
    public function toArray(): array
    {
        return [
            'url' => $this->url,
            'form' => $this->form,
            'resource' => $this->resource,
            'key_id' => $this->keyId,
            'claims' => $this->claims,
            'checks' => array_map(static fn (Check $c) => $c->toArray(), $this->checks),
            'warnings' => array_map(static fn (AuditWarning $w) => $w->toArray(), $this->warnings),
            'ok' => $this->ok,
        ];
    }
}
