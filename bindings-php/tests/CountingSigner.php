<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

/** A counting callable, to see when the package releases it (its destructor runs once, when the last reference goes). */
final class CountingSigner
{
    public static int $destroyed = 0;
    public int $calls = 0;
    /** @var list<string> the uri of each signing input, in call order */
    public array $uris = [];

    public function __construct(private \OpenSSLAsymmetricKey $key)
    {
    }

    public function __invoke(string $signingInput): string
    {
        $this->calls++;
        $this->uris[] = json_decode(ExternalSignerTest::b64(explode('.', $signingInput)[1]), true)['uri'];
        openssl_sign($signingInput, $signature, $this->key, OPENSSL_ALGO_SHA256);
        return $signature;
    }

    public function __destruct()
    {
        self::$destroyed++;
    }
}
