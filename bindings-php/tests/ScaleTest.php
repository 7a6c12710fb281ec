<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\SignResult;
use Qencode\Cdn\Token;
use Qencode\Cdn\Verifier;

/** signMany and cached signers from PHP: the item forms, per-item errors, the cache's PHP side. */
final class ScaleTest extends TestCase
{
    private const NOW = 1700000000;

    private static function signer(): Signer
    {
        return Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
    }

    public function testItemFormsAndOrder(): void
    {
        $s = self::signer();
        $o = ['now' => self::NOW, 'expires_in' => 600];
        $items = (static function () use ($o): \Generator {
            yield 'videos/a/';                                        // a uri: the default options
            yield ['videos/b/'];                                      // [uri]
            yield ['videos/c/', $o];                                  // [uri, options]
            yield ['uri' => 'videos/d/', 'options' => $o + ['claims' => []]];
            yield ['videos/e/', ['now' => new \DateTimeImmutable('@' . self::NOW), 'expires_in' => new \DateInterval('PT10M')]];
        })();
        $results = $s->signMany($items, 2);
        $this->assertCount(5, $results);
        $this->assertContainsOnlyInstancesOf(SignResult::class, $results);
        $this->assertSame($s->sign('videos/c/', $o), $results[2]->token());
        $this->assertSame($s->sign('videos/d/', $o), $results[3]->token());
        $this->assertSame($s->sign('videos/e/', $o), $results[4]->token());
        $verifier = Verifier::fromSigner($s);
        foreach (['a', 'b'] as $i => $name) {
            $this->assertTrue($results[$i]->ok);
            $this->assertNull($results[$i]->error);
            $this->assertSame("videos/$name/", $verifier->verify($results[$i]->token())['uri']);
        }
        $this->assertSame([], $s->signMany([]));
        // threads do not change a token
        $many = array_map(static fn ($i) => ["v/$i", ['now' => self::NOW]], range(0, 19));
        $this->assertSame(
            array_map(static fn ($r) => $r->token(), $s->signMany($many, 1)),
            array_map(static fn ($r) => $r->token(), $s->signMany($many)),
        );
    }

    public function testABadItemIsThatItemsError(): void
    {
        $s = self::signer();
        $results = $s->signMany(['videos/a/', '/leading-slash', ['videos/c/', ['expires_in' => null]], ['videos/d/', ['expires' => 1]]]);
        $this->assertSame([true, false, false, false], array_map(static fn ($r) => $r->ok, $results));
        $this->assertSame('INVALID_ARGUMENT', $results[1]->error->errorCode);
        $this->assertInstanceOf(InvalidArgumentTypeException::class, $results[2]->error, 'a null lifetime is a type error');
        $this->assertStringContainsString('unknown sign option `expires`', $results[3]->error->getMessage());
        try {
            $results[1]->token();
            $this->fail('a failed item gave a token');
        } catch (InvalidArgumentException $e) {
            $this->assertSame($results[1]->error, $e);
        }
        // A token is a credential: dumps do not show it.
        $dump = print_r($results[0], true);
        $this->assertStringNotContainsString($results[0]->token(), $dump);
        $this->assertStringContainsString('<redacted>', $dump);
    }

    public function testABatchWrongAsAWholeThrows(): void
    {
        $s = self::signer();
        foreach ([[42], [['uri' => 5]], [['uri' => 'a', 'extra' => 1]], [null], [['a', [], 'third']]] as $items) {
            try {
                $s->signMany($items);
                $this->fail('accepted the batch ' . json_encode($items));
            } catch (InvalidArgumentException $e) {
                $this->assertSame('INVALID_ARGUMENT', $e->errorCode);
            }
        }
        foreach ([0, -1, 0x100000000] as $threads) {
            try {
                $s->signMany(['a'], $threads);
                $this->fail("accepted threads $threads");
            } catch (InvalidArgumentException $e) {
                $this->assertStringContainsString('threads', $e->getMessage());
            }
        }
    }

    public function testCachedSigners(): void
    {
        $s = self::signer();
        $cached = $s->cached(new \DateInterval('PT5M'));
        $this->assertSame(300, $cached->cacheWindow());
        $this->assertNull($s->cacheWindow());
        $a = $cached->signedLiveUrl('abc123', ['expires_in' => 3600]);
        $this->assertSame($a, $cached->signedLiveUrl('abc123', ['expires_in' => 3600]));
        $this->assertSame(1, $cached->cachedTokens());
        $this->assertSame(0, $s->cachedTokens(), 'the original signer has no cache');
        $token = substr($a, strpos($a, 'auth=') + 5);
        $this->assertSame(0, Token::decodeUnverified($token)['claims']['exp'] % 300, 'exp rounded up to the window');
        $this->assertNotSame($s->sign('abc123', ['now' => self::NOW]), $s->sign('abc123', ['now' => self::NOW + 1]));
        // Pinned clocks are cached only when asked for.
        $this->assertNotSame($cached->sign('p', ['now' => self::NOW]), $cached->sign('p', ['now' => self::NOW + 1]));
        $pinned = $s->cached(60, 10, true);
        $this->assertSame($pinned->sign('p', ['now' => self::NOW]), $pinned->sign('p', ['now' => self::NOW + 1]));
        // Batches go through the cache; a cache of a cache has only its own.
        $batch = $cached->signMany(array_fill(0, 5, 'videos/z/'));
        $this->assertCount(1, array_unique(array_map(static fn ($r) => $r->token(), $batch)));
        $this->assertSame(0, $cached->cached(60)->cachedTokens());
        $this->assertStringContainsString('[cacheWindow] => 300', print_r($cached, true));
    }

    public function testCacheSettingsAreChecked(): void
    {
        $s = self::signer();
        $cases = [
            [fn () => $s->cached(0), false],
            [fn () => $s->cached(86401), false],
            [fn () => $s->cached(-5), false],
            [fn () => $s->cached(0x100000000), false],
            [fn () => $s->cached(60, 0), false],
            [fn () => $s->cached(60, -1), false],
            [fn () => $s->cached(new \DateInterval('P1M')), false],
            [fn () => $s->cached(\DateInterval::createFromDateString('1 second + 500000 microseconds')), true],
        ];
        foreach ($cases as $i => [$fn, $typeError]) {
            try {
                $fn();
                $this->fail("case $i accepted");
            } catch (InvalidArgumentException $e) {
                $this->assertSame($typeError, $e instanceof InvalidArgumentTypeException, "case $i: " . $e->getMessage());
            }
        }
        $this->assertSame(86400, $s->cached(86400, 1)->cacheWindow());
    }
}
