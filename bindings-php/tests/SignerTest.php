<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Token;
use Qencode\Cdn\Verifier;

/** The PHP side of signing: option arrays and PHP values, loading keys, handles. */
final class SignerTest extends TestCase
{
    private const NOW = 1700000000;

    private static function signer(): Signer
    {
        return Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
    }

    /** @return array<string, mixed> */
    private static function claims(string $token): array
    {
        $claims = Token::decodeUnverified($token)['claims'];
        ksort($claims);
        return $claims;
    }

    private function assertInvalid(callable $fn, bool $typeError, string $contains = ''): QencodeException
    {
        try {
            $fn();
        } catch (InvalidArgumentException $e) {
            $this->assertSame('INVALID_ARGUMENT', $e->errorCode);
            $this->assertSame(1, $e->getCode());
            $this->assertNull($e->status);
            $this->assertSame($typeError, $e instanceof InvalidArgumentTypeException, $e->getMessage());
            $this->assertStringContainsString($contains, $e->getMessage());
            return $e;
        }
        $this->fail('expected INVALID_ARGUMENT');
    }

    public function testDefaultLifetimeIsOneHour(): void
    {
        $this->assertSame(['exp' => self::NOW + 3600, 'uri' => 'abc'], self::claims(self::signer()->sign('abc', ['now' => self::NOW])));
    }

    public function testLooseTypesNeverBecomeADefault(): void
    {
        $s = self::signer();
        // PHP would happily turn "600" into 600 and null into 0: the core sees them as given.
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => '600']), true, 'string');
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => null]), true, 'null');
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_at' => null]), true);
        $this->assertInvalid(fn () => $s->sign('abc', ['never_expires' => 1]), true);
        $this->assertInvalid(fn () => $s->sign('abc', ['never_expires' => 'yes']), true);
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => 0]), false);
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => false]), true);
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => 1.5]), false);
    }

    public function testUnknownOptionKeyIsRefused(): void
    {
        $this->assertInvalid(fn () => self::signer()->sign('abc', ['expires' => 600]), false, 'unknown');
        $this->assertInvalid(fn () => self::signer()->sign('abc', ['expiresIn' => 600]), false, 'unknown');
    }

    public function testAListWhereOptionsGoIsRefused(): void
    {
        $this->assertInvalid(fn () => self::signer()->sign('abc', [600]), true);
        $this->assertInvalid(fn () => self::signer()->signedLiveUrl('abc', [600, 'now' => 1]), false, 'unknown');
    }

    public function testEmptyArraysAreEmptyObjects(): void
    {
        $s = self::signer();
        $plain = $s->sign('abc', ['now' => self::NOW]);
        $this->assertSame($plain, $s->sign('abc', ['now' => self::NOW, 'claims' => []]));
        $nested = self::claims($s->sign('abc', ['now' => self::NOW, 'claims' => ['roles' => []]]));
        $this->assertSame(['exp' => self::NOW + 3600, 'roles' => [], 'uri' => 'abc'], $nested);
        $this->assertInvalid(fn () => $s->sign('abc', ['claims' => [1, 2]]), true);
    }

    public function testDateTimeAndDateIntervalAreConverted(): void
    {
        $s = self::signer();
        $now = new \DateTimeImmutable('@' . self::NOW);
        $this->assertSame(
            $s->sign('abc', ['now' => self::NOW, 'expires_in' => 600]),
            $s->sign('abc', ['now' => $now, 'expires_in' => new \DateInterval('PT10M')]),
        );
        $this->assertSame(
            ['exp' => self::NOW + 86400 + 7200, 'nbf' => self::NOW - 60, 'uri' => 'abc'],
            self::claims($s->sign('abc', [
                'now' => $now,
                'expires_at' => new \DateTime('@' . (self::NOW + 86400 + 7200)),
                'not_before' => $now->modify('-1 minute'),
            ])),
        );
        $diff = $now->diff($now->modify('+2 days +3 seconds'));
        $this->assertSame(self::NOW + 2 * 86400 + 3, self::claims($s->sign('abc', ['now' => $now, 'expires_in' => $diff]))['exp']);
        // A negative interval is negative seconds: refused by the core.
        $past = new \DateInterval('PT1M');
        $past->invert = 1;
        $this->assertInvalid(fn () => $s->sign('abc', ['now' => $now, 'expires_in' => $past]), false);
        // Months have no fixed length.
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_in' => new \DateInterval('P1M')]), false, 'months');
        // Microseconds are a fraction: seconds are whole.
        $fraction = \DateInterval::createFromDateString('1 second + 500000 microseconds');
        $this->assertInvalid(fn () => $s->sign('abc', ['now' => $now, 'expires_in' => $fraction]), false);
        // Milliseconds taken for seconds are refused by the core's rule.
        $this->assertInvalid(fn () => $s->sign('abc', ['expires_at' => (int) (microtime(true) * 1000)]), false, 'milliseconds');
    }

    public function testNeverExpiresOnlyByName(): void
    {
        $claims = self::claims(self::signer()->sign('abc', ['never_expires' => true, 'now' => self::NOW]));
        $this->assertSame(['uri' => 'abc'], $claims);
        $this->assertInvalid(fn () => self::signer()->sign('abc', ['never_expires' => true, 'expires_in' => 60]), false);
    }

    public function testStringsWithNulAreRefusedNotCut(): void
    {
        $s = self::signer();
        $this->assertInvalid(fn () => $s->sign("videos/a\0/evil"), false, 'NUL');
        $this->assertInvalid(fn () => $s->signedStorageUrl('my-bucket', 'us-west', "a\0b"), false, 'NUL');
        $this->assertInvalid(fn () => $s->signedCookie("videos/\0"), false, 'NUL');
        $this->assertInvalid(fn () => Signer::fromPem("key\0-1", Support::read('tests/keys/rsa2048.pkcs1.pem')), false, 'NUL');
    }

    public function testKeyForms(): void
    {
        $pem = Support::read('tests/keys/rsa2048.pkcs1.pem');
        $want = self::signer()->sign('abc', ['now' => self::NOW]);
        foreach (
            [
            'pkcs8 pem' => Support::read('tests/keys/rsa2048.pkcs8.pem'),
            'pkcs1 der (binary, NUL bytes)' => Support::read('tests/keys/rsa2048.pkcs1.der'),
            'literal \n' => str_replace("\n", '\n', $pem),
            'base64 of the pem' => base64_encode($pem),
            ] as $form => $key
        ) {
            $this->assertSame($want, Signer::fromPem('key-1', $key)->sign('abc', ['now' => self::NOW]), $form);
        }
        $this->expectException(InvalidKeyException::class);
        Signer::fromPem('key-1', Support::read('tests/keys/ec-p256.pkcs8.pem'));
    }

    public function testFromFileAndFromEnv(): void
    {
        $s = Signer::fromFile('key-2', Support::path('tests/keys/rsa4096.pkcs1.pem'));
        $this->assertSame('key-2', $s->keyId());
        $this->assertSame(4096, $s->keyBits());
        $e = $this->assertInvalid(fn () => Signer::fromFile('k', '/nonexistent/key.pem'), false, '/nonexistent/key.pem');
        $this->assertInstanceOf(InvalidArgumentException::class, $e);

        putenv('QENCODE_SIGNING_KEY=' . str_replace("\n", '\n', Support::read('tests/keys/rsa2048.pkcs1.pem')));
        putenv('QENCODE_SIGNING_KEY_ID=env-kid');
        try {
            $this->assertSame('env-kid', Signer::fromEnv()->keyId());
            $this->assertSame('arg-kid', Signer::fromEnv('arg-kid')->keyId());
            putenv('QENCODE_SIGNING_KEY');
            $this->assertInvalid(fn () => Signer::fromEnv(), false, 'QENCODE_SIGNING_KEY');
        } finally {
            putenv('QENCODE_SIGNING_KEY');
            putenv('QENCODE_SIGNING_KEY_ID');
        }
    }

    public function testPublicKeyAndJwk(): void
    {
        $s = self::signer();
        $this->assertSame(
            openssl_pkey_get_details(openssl_pkey_get_public(Support::read('tests/keys/rsa2048.spki.pem')))['key'],
            $s->publicKeyPem(),
        );
        $jwk = json_decode($s->publicKeyJwk(), true);
        $this->assertSame(['RSA', 'key-1', 'RS256', 'sig'], [$jwk['kty'], $jwk['kid'], $jwk['alg'], $jwk['use']]);
        $token = $s->sign('abc');
        $this->assertSame('abc', Verifier::fromJwk($s->publicKeyJwk())->verify($token)['uri']);
    }

    public function testSignedUrlsAndCookies(): void
    {
        $s = self::signer();
        $o = ['now' => self::NOW, 'expires_in' => 600];
        $token = $s->sign('abc123', $o);
        $this->assertSame("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=$token", $s->signedLiveUrl('abc123', $o));
        $this->assertSame("https://live.example.com/abc123.m3u8?auth=$token", $s->signedLiveCustomDomainUrl('live.example.com', 'abc123', $o));
        $key = $s->sign('videos/a b.mp4', $o);
        $this->assertSame(
            "https://my-bucket.media-storage.eu-central.qencode.com/videos/a%20b.mp4?auth=$key",
            $s->signedStorageUrl('my-bucket', 'eu-central', 'videos/a b.mp4', $o),
        );
        $this->assertSame("https://cdn.example.com/videos/a%20b.mp4?auth=$key", $s->signedStorageCustomDomainUrl('cdn.example.com', 'videos/a b.mp4', $o));
        $this->assertSame("https://x.example.com/p?a=1&auth=$token#f", $s->signUrl('https://x.example.com/p?a=1&auth=old#f', 'abc123', $o));

        $folder = $s->sign('videos/a/', $o);
        $this->assertSame(
            "Qencode-Auth-Token=$folder; Domain=example.com; Path=/videos/a/; Max-Age=600; Secure; HttpOnly; SameSite=Strict",
            $s->signedCookie('videos/a/', $o + ['domain' => 'example.com', 'same_site' => 'Strict']),
        );
        $this->assertSame(
            [
                'name' => 'Qencode-Auth-Token', 'value' => $folder, 'domain' => null, 'path' => '/videos/a/',
                'max_age' => 600, 'secure' => true, 'http_only' => true, 'same_site' => 'Lax',
            ],
            $s->signedCookieFields('videos/a/', $o),
        );
        $this->assertInvalid(fn () => $s->signedCookie('videos/a/', ['same_site' => 'Loose']), false);
        $this->assertInvalid(fn () => $s->signedCookie('videos/a/', ['secure' => 'false']), true);
    }

    public function testHandlesAreNotCopied(): void
    {
        $s = self::signer();
        try {
            $copy = clone $s;
            $this->fail('a Signer was cloned');
        } catch (\Error $e) {
            $this->assertStringContainsString('__clone', $e->getMessage());
        }
        $this->expectException(\LogicException::class);
        serialize($s);
    }

    public function testManySignersCreatedAndDestroyed(): void
    {
        // Each handle is freed in __destruct, exactly once (the valgrind run of
        // tests/leak/sign_loop.php shows nothing is lost; a double free would crash here).
        $pem = Support::read('tests/keys/rsa2048.pkcs1.pem');
        $before = memory_get_usage();
        for ($i = 0; $i < 200; $i++) {
            $s = Signer::fromPem("key-$i", $pem);
            $v = Verifier::fromSigner($s);
            $token = $s->sign('abc');
            $this->assertSame("key-$i", Token::decodeUnverified($token)['header']['kid']);
            $this->assertTrue($v->explainToken($token)->ok);
            unset($s, $v);
        }
        $this->assertLessThan(256 * 1024, memory_get_usage() - $before);
    }
}
