<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/** One check of an {@see Explanation}: its name (`signature`, `expiry`, …), whether it passed, and why in words. */
final class Check
{
    public function __construct(
        public readonly string $name,
        public readonly bool $passed,
        public readonly string $detail,
    ) {
    }

    /** @param array{name: string, passed: bool, detail: string} $doc */
    public static function fromArray(array $doc): self
    {
        return new self($doc['name'], $doc['passed'], $doc['detail']);
    }

    /** @return array{name: string, passed: bool, detail: string} */
    public function toArray(): array
    {
        return ['name' => $this->name, 'passed' => $this->passed, 'detail' => $this->detail];
    }
}
