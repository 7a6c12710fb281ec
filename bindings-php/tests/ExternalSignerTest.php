<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\Internal\ExternalCallbacks;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\SignerFailedException;
use Qencode\Cdn\Token;
use Qencode\Cdn\Verifier;

/**
 * Signer::external with PHP callables backed by PHP's own OpenSSL: the
 * golden tokens byte for byte, every broken callable (never a token, the
 * Throwable kept as `previous`), batches and caches that share the
 * callable, its release exactly once, Fibers, prepare/finish.
 */
final class ExternalSignerTest extends TestCase
{
    private const NOW = 1700000000;

    public static function b64(string $part): string
    {
        return (string) base64_decode(strtr($part, '-_', '+/'), true);
    }

    /** @return array{\OpenSSLAsymmetricKey, string} the private key of a test key file and its public PEM */
    private static function openssl(string $file): array
    {
        $key = openssl_pkey_get_private(Support::read($file));
        self::assertInstanceOf(\OpenSSLAsymmetricKey::class, $key, $file);
        return [$key, openssl_pkey_get_details($key)['key']];
    }

    private static function opensslSigner(string $kid, string $file = 'tests/keys/rsa2048.pkcs8.pem'): Signer
    {
        [$key, $public] = self::openssl($file);
        return Signer::external($kid, $public, static function (string $input) use ($key): string {
            openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
            return $signature;
        });
    }

    /** A signer of rsa2048 whose callable is `$sign`. */
    private static function with(callable $sign): Signer
    {
        return Signer::external('key-1', Support::read('tests/keys/rsa2048.spki.pem'), $sign);
    }

    private function assertFails(Signer $signer, string $contains, ?string $previous = null): SignerFailedException
    {
        try {
            $token = $signer->sign('videos/a/', ['now' => self::NOW]);
            $this->fail("a broken signer gave a token: $token");
        } catch (SignerFailedException $e) {
            $this->assertSame('SIGNER_FAILED', $e->errorCode);
            $this->assertSame(17, $e->getCode());
            $this->assertStringContainsString($contains, $e->getMessage());
            if ($previous === null) {
                $this->assertNull($e->getPrevious(), 'no Throwable behind this failure');
            } else {
                $this->assertInstanceOf($previous, $e->getPrevious());
            }
            return $e;
        }
    }

    public function testTheGoldenTokensByteForByte(): void
    {
        $files = [
            'tests/keys/rsa2048.' => 'tests/keys/rsa2048.pkcs8.pem',
            'tests/keys/rsa4096.' => 'tests/keys/rsa4096.pkcs8.pem',
            'tests/keys/rsa4096-b.' => 'tests/keys/rsa4096-b.pkcs1.pem',
        ];
        $signers = [];
        $checked = 0;
        foreach (ConformanceTest::cases() as [$case]) {
            $key = $case['input']['signer']['key'] ?? null;
            if ($case['op'] !== 'sign' || !isset($case['expect']['token']) || !is_string($key)) {
                continue;
            }
            $file = null;
            foreach ($files as $prefix => $pem) {
                if (str_starts_with($key, $prefix)) {
                    $file = $pem;
                }
            }
            if ($file === null) {
                continue;
            }
            $kid = $case['input']['signer']['kid'];
            $signer = $signers["$file $kid"] ??= self::opensslSigner($kid, $file);
            $this->assertTrue($signer->isExternal());
            $this->assertSame($case['expect']['token'], $signer->sign($case['input']['uri'], $case['input']['options'] ?? []), $case['name']);
            $checked++;
        }
        $this->assertGreaterThanOrEqual(30, $checked, 'golden tokens signed through a PHP callable');
    }

    public function testUrlsCookiesAndTheVerifierOfAnExternalSigner(): void
    {
        $local = Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $external = self::opensslSigner('key-1');
        $o = ['now' => self::NOW, 'expires_in' => 600];
        $this->assertSame($local->signedLiveUrl('abc', $o), $external->signedLiveUrl('abc', $o));
        $this->assertSame($local->signedStorageUrl('my-bucket', 'us-west', 'v/a.mp4', $o), $external->signedStorageUrl('my-bucket', 'us-west', 'v/a.mp4', $o));
        $this->assertSame($local->signedCookie('videos/a/', $o), $external->signedCookie('videos/a/', $o));
        $this->assertSame($local->signUrl('https://x.example.com/p', 'p', $o), $external->signUrl('https://x.example.com/p', 'p', $o));
        $this->assertSame($local->publicKeyPem(), $external->publicKeyPem());
        $this->assertSame(2048, $external->keyBits());
        $this->assertSame('abc', Verifier::fromSigner($external)->verify($external->sign('abc'))['uri']);
        $this->assertFalse($local->isExternal());
        $dump = print_r($external, true);
        $this->assertStringContainsString('<external>', $dump);
    }

    public function testEveryBrokenCallableFailsWithoutAToken(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        [$other] = self::openssl('tests/keys/rsa4096-b.pkcs1.pem');
        $sign = static function (string $input, \OpenSSLAsymmetricKey $k) {
            openssl_sign($input, $signature, $k, OPENSSL_ALGO_SHA256);
            return $signature;
        };

        $throttled = self::with(static fn () => throw new \RuntimeException('KMS: throttled'));
        $e = $this->assertFails($throttled, 'RuntimeException: KMS: throttled', \RuntimeException::class);
        $this->assertSame('KMS: throttled', $e->getPrevious()->getMessage());
        $this->assertFails(self::with(static fn () => throw new \Error('a bug')), 'Error: a bug', \Error::class);
        // A callable PHP cannot call with a string: the TypeError is the cause.
        $this->assertFails(self::with(static fn (int $n) => 'x'), 'TypeError', \TypeError::class);
        // A warning (PHPUnit turns it into an exception, as many applications do) inside the callable.
        $this->assertFails(self::with(static fn () => (string) file_get_contents('/nonexistent/kms-credentials')), 'file_get_contents', \Throwable::class);

        foreach ([null, 42, ['sig'], new \ArrayObject()] as $value) {
            $this->assertFails(self::with(static fn () => $value), 'not a string of signature bytes');
        }
        $this->assertFails(self::with(static fn () => ''), 'returned 0 bytes');
        $this->assertFails(self::with(static fn () => str_repeat("\x01", 255)), 'returned 255 bytes');
        $this->assertFails(self::with(static fn () => random_bytes(256)), 'does not verify');
        // More than the library's buffer: reported, nothing written beyond it.
        $this->assertFails(self::with(static fn () => str_repeat("\xff", 5000)), 'more than the buffer');
        // A valid signature of another input, and another key's signature (the 4096-bit key of another pair).
        $this->assertFails(self::with(static fn (string $in) => $sign("$in.", $key)), 'does not verify');
        $fourK = Signer::external('key-4', Support::read('tests/keys/rsa4096.spki.pem'), static fn (string $in) => $sign($in, $other));
        $this->assertFails($fourK, 'does not verify');
        // Throwables with long or binary messages: cut, never a crash.
        $long = self::with(static fn () => throw new \RuntimeException(str_repeat('é', 2000)));
        $e = $this->assertFails($long, 'RuntimeException: éé', \RuntimeException::class);
        $this->assertLessThan(1400, strlen($e->getMessage()));
        $this->assertFails(self::with(static fn () => throw new \RuntimeException("bin\0\xff\xfe")), 'RuntimeException: bin', \RuntimeException::class);
    }

    public function testEachBatchItemKeepsItsOwnCause(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $signer = self::with(static function (string $input) use ($key): string {
            $uri = json_decode(self::b64(explode('.', $input)[1]), true)['uri'];
            if (str_starts_with($uri, 'fail-')) {
                throw new \DomainException("no signature for $uri");
            }
            openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
            return $signature;
        });
        $results = $signer->signMany(['ok-1', 'fail-a', '/bad', 'fail-b', 'ok-2'], 8);
        $this->assertSame([true, false, false, false, true], array_map(static fn ($r) => $r->ok, $results));
        $this->assertSame('no signature for fail-a', $results[1]->error->getPrevious()->getMessage());
        $this->assertSame('INVALID_ARGUMENT', $results[2]->error->errorCode);
        $this->assertNull($results[2]->error->getPrevious());
        $this->assertSame('no signature for fail-b', $results[3]->error->getPrevious()->getMessage());
        $this->assertInstanceOf(SignerFailedException::class, $results[3]->error);
        $verifier = Verifier::fromSigner($signer);
        $this->assertSame('ok-2', $verifier->verify($results[4]->token())['uri']);
    }

    public function testBatchesAndCachesShareTheCallableOnThisThread(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $callable = new CountingSigner($key);
        $signer = Signer::external('key-1', Support::read('tests/keys/rsa2048.spki.pem'), $callable);
        $local = Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $items = [];
        for ($i = 0; $i < 40; $i++) {
            $items[] = ["videos/$i/", ['now' => self::NOW]];
        }
        // Eight threads asked for: the callable still runs on this thread, item after item, in order.
        $tokens = array_map(static fn ($r) => $r->token(), $signer->signMany($items, 8));
        $this->assertSame(array_map(static fn ($r) => $r->token(), $local->signMany($items, 8)), $tokens);
        $this->assertSame(array_column($items, 0), $callable->uris);

        // Cached signers made from it share it; a cache hit does not call it.
        $cached = $signer->cached(300);
        $again = $cached->cached(60);
        $this->assertTrue($cached->isExternal());
        $callable->calls = 0;
        $a = $cached->sign('videos/x/');
        $this->assertSame($a, $cached->sign('videos/x/'));
        $this->assertSame(1, $callable->calls);
        $many = $again->signMany(array_fill(0, 10, 'videos/y/'), 4);
        $this->assertSame(1, count(array_unique(array_map(static fn ($r) => $r->token(), $many))));
        $this->assertSame(2, $callable->calls);
        $this->assertSame(1, $again->cachedTokens());
    }

    public function testTheCallableIsReleasedExactlyOnceWithTheLastSigner(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $before = [ExternalCallbacks::live(), ExternalCallbacks::released(), CountingSigner::$destroyed];
        $callable = new CountingSigner($key);
        $weak = \WeakReference::create($callable);
        $signer = Signer::external('key-1', Support::read('tests/keys/rsa2048.spki.pem'), $callable);
        unset($callable); // the package's reference keeps it
        $cached = $signer->cached(60);
        $cached2 = $signer->cached(120);
        $this->assertSame($before[0] + 1, ExternalCallbacks::live());

        unset($signer);
        $this->assertNotNull($weak->get(), 'released while cached signers still use it');
        $this->assertNotSame('', $cached->sign('a'));
        unset($cached);
        $this->assertNotNull($weak->get());
        $this->assertSame($before[1], ExternalCallbacks::released());
        $this->assertNotSame('', $cached2->sign('b'));
        unset($cached2);
        $this->assertNull($weak->get(), 'kept after the last signer was freed');
        $this->assertSame([$before[0], $before[1] + 1, $before[2] + 1], [ExternalCallbacks::live(), ExternalCallbacks::released(), CountingSigner::$destroyed]);

        // A signer that is not created keeps nothing.
        $callable = new CountingSigner($key);
        $weak = \WeakReference::create($callable);
        try {
            Signer::external('key-1', 'not a public key', $callable);
            $this->fail('a bad public key was accepted');
        } catch (InvalidKeyException) {
        }
        unset($callable);
        $this->assertNull($weak->get());
        $this->assertSame($before[0], ExternalCallbacks::live());
        $this->assertSame($before[1] + 1, ExternalCallbacks::released(), 'a failed creation is no release');
    }

    public function testManySignersCreatedAndFreedKeepNothing(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $public = Support::read('tests/keys/rsa2048.spki.pem');
        $live = ExternalCallbacks::live();
        $released = ExternalCallbacks::released();
        for ($i = 0; $i < 100; $i++) {
            $s = Signer::external("key-$i", $public, new CountingSigner($key));
            $c = $s->cached(60);
            $this->assertSame("key-$i", Token::decodeUnverified($c->sign('a'))['header']['kid']);
            unset($s, $c);
        }
        $this->assertSame($live, ExternalCallbacks::live());
        $this->assertSame($released + 100, ExternalCallbacks::released());
    }

    public function testACallableMaySignWithAnotherSigner(): void
    {
        $inner = self::opensslSigner('key-inner');
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $outer = self::with(static function (string $input) use ($inner, $key): string {
            $inner->sign('nested'); // another signing call while this one waits
            try {
                self::with(static fn () => throw new \LogicException('inner failure'))->sign('x');
            } catch (SignerFailedException) {
            }
            openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
            return $signature;
        });
        $this->assertSame('videos/a/', Verifier::fromSigner($outer)->verify($outer->sign('videos/a/'))['uri']);
        // A failure after a nested failure is the outer callable's own.
        $broken = self::with(static function () use ($inner): string {
            try {
                self::with(static fn () => throw new \LogicException('inner failure'))->sign('x');
            } catch (SignerFailedException) {
            }
            return 'short';
        });
        $this->assertFails($broken, 'returned 5 bytes');
    }

    public function testASuspendedFiberIsAFailureNotAHang(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $finally = 0;
        $signer = self::with(static function (string $input) use ($key, &$finally): string {
            try {
                \Fiber::suspend('waiting for the KMS');
                openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
                return $signature;
            } finally {
                $finally++;
            }
        });
        // Inside a Fiber (an async framework's task): the caller's Fiber is not suspended.
        $fiber = new \Fiber(static function () use ($signer): string {
            try {
                $signer->sign('videos/a/');
                return 'signed';
            } catch (SignerFailedException $e) {
                return $e->getMessage();
            }
        });
        $this->assertNull($fiber->start(), 'the caller\'s Fiber was suspended');
        $this->assertTrue($fiber->isTerminated());
        $this->assertStringContainsString('suspended its Fiber', $fiber->getReturn());
        $this->assertSame(1, $finally, 'the callable\'s own Fiber was destroyed (its finally ran)');
        // Outside any Fiber: suspending is a FiberError.
        $this->assertFails($signer, 'FiberError', \FiberError::class);
        // And a callable that returns normally inside a Fiber signs.
        $ok = self::opensslSigner('key-1');
        $fiber = new \Fiber(static fn () => $ok->sign('videos/a/', ['now' => self::NOW]));
        $fiber->start();
        $local = Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $this->assertSame($local->sign('videos/a/', ['now' => self::NOW]), $fiber->getReturn());
    }

    public function testPrepareAndFinishForAsyncSigners(): void
    {
        [$key] = self::openssl('tests/keys/rsa2048.pkcs8.pem');
        $local = Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $o = ['now' => self::NOW, 'expires_in' => 600, 'claims' => ['viewer' => 'u-42']];

        // An async KMS call: the Fiber waits for the signature, the event loop (here: the test) delivers it.
        $task = new \Fiber(static function () use ($local, $o): string {
            $prepared = $local->prepare('videos/a/', $o);
            $signature = \Fiber::suspend($prepared->signingInput);
            return $prepared->finish($signature);
        });
        $input = $task->start();
        $this->assertSame(2, substr_count($local->sign('videos/a/', $o), '.'));
        $this->assertStringStartsWith($input . '.', $local->sign('videos/a/', $o));
        openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
        $task->resume($signature);
        $this->assertSame($local->sign('videos/a/', $o), $task->getReturn());

        // Any signer prepares, an external one too (its callable is not called).
        $counting = new CountingSigner($key);
        $external = Signer::external('key-1', $local->publicKeyPem(), $counting);
        $prepared = $external->prepare('videos/a/', $o);
        $this->assertSame($input, $prepared->signingInput);
        $this->assertSame(0, $counting->calls);

        try {
            $prepared->finish(random_bytes(256));
            $this->fail('a garbage signature finished a token');
        } catch (SignerFailedException $e) {
            $this->assertNull($e->getPrevious());
        }
        // A valid signature by the right key, over another signing input.
        openssl_sign($external->prepare('videos/b/', $o)->signingInput, $other, $key, OPENSSL_ALGO_SHA256);
        try {
            $prepared->finish($other);
            $this->fail('a signature over another input finished a token');
        } catch (SignerFailedException) {
        }
        // Options are checked at prepare, as sign checks them.
        $this->expectException(InvalidArgumentException::class);
        $local->prepare('videos/a/', ['expires_in' => null]);
    }

    public function testBadArguments(): void
    {
        $this->expectException(QencodeException::class);
        Signer::external("key\0-1", Support::read('tests/keys/rsa2048.spki.pem'), static fn () => '');
    }
}
