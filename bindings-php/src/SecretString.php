<?php

declare(strict_types=1);

namespace Qencode\Cdn;

/**
 * A secret (the private key of a new signing key) that does not show itself:
 * `var_dump`, `print_r`, `var_export`, `json_encode` and string conversion
 * show no part of it, and it refuses to be serialized. `reveal()` gives the
 * text. {@see Signer::fromPem()} takes one directly.
 */
final class SecretString implements \JsonSerializable
{
    /** @var \WeakMap<SecretString, string>|null values kept outside the object, so no dump can reach them */
    private static ?\WeakMap $values = null;

    public function __construct(#[\SensitiveParameter] string $value)
    {
        self::$values ??= new \WeakMap();
        self::$values[$this] = $value;
    }

    /** The secret text. */
    public function reveal(): string
    {
        return self::$values[$this];
    }

    /** @return array<string, string> */
    public function __debugInfo(): array
    {
        return ['value' => '<redacted>'];
    }

    public function __toString(): string
    {
        return '<redacted>';
    }

    public function jsonSerialize(): string
    {
        return '<redacted>';
    }

    /** @return never */
    public function __serialize(): array
    {
        throw new \LogicException('a SecretString is not serialized: store $secret->reveal() somewhere safe instead');
    }

    /** @param array<mixed> $data */
    public function __unserialize(array $data): void
    {
        throw new \LogicException('a SecretString is not unserialized');
    }

    private function __clone()
    {
    }
}
