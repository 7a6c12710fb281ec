<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\AuditWarning;
use Qencode\Cdn\Check;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\MalformedTokenException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Token;
use Qencode\Cdn\TokenException;
use Qencode\Cdn\TokenExpiredException;
use Qencode\Cdn\UnknownKeyIdException;
use Qencode\Cdn\UriMismatchException;
use Qencode\Cdn\Urls;
use Qencode\Cdn\Verifier;

final class VerifierTest extends TestCase
{
    private const NOW = 1700000000;

    private static function signer(): Signer
    {
        return Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'));
    }

    public function testVerifyWithResourceIsTheAccessDecision(): void
    {
        $token = self::signer()->sign('videos/a/', ['now' => self::NOW]);
        $v = Verifier::fromPublicKey(Support::read('tests/keys/rsa2048.spki.der'));
        $opts = ['now' => new \DateTimeImmutable('@' . (self::NOW + 10)), 'key_id' => 'key-1'];
        $this->assertSame('videos/a/', $v->verify($token, $opts + ['resource' => ['kind' => 'storage', 'key' => 'videos/a/1.ts']])['uri']);
        try {
            $v->verify($token, $opts + ['resource' => ['kind' => 'storage', 'key' => 'videos/b/1.ts']]);
            $this->fail('a token for videos/a/ covered videos/b/');
        } catch (UriMismatchException $e) {
            $this->assertInstanceOf(TokenException::class, $e);
            $this->assertSame(7, $e->getCode());
        }
        $this->expectException(UnknownKeyIdException::class);
        $v->verify($token, ['now' => self::NOW, 'key_id' => 'key-2']);
    }

    public function testLeewayAsDateInterval(): void
    {
        $token = self::signer()->sign('abc', ['now' => self::NOW, 'expires_in' => 60]);
        $v = Verifier::fromSigner(self::signer());
        $this->assertSame('abc', $v->verify($token, ['now' => self::NOW + 90, 'leeway' => new \DateInterval('PT1M')])['uri']);
        $this->expectException(TokenExpiredException::class);
        $v->verify($token, ['now' => self::NOW + 90, 'leeway' => 10]);
    }

    public function testExplainSaysWhyInWords(): void
    {
        $s = self::signer();
        $url = $s->signedStorageUrl('my-bucket', 'us-west', 'videos/a.mp4', ['now' => self::NOW, 'expires_in' => 600]);
        $e = Verifier::fromSigner($s)->explain($url, ['now' => self::NOW + 780]);
        $this->assertFalse($e->ok);
        $this->assertSame('storage', $e->form);
        $this->assertSame('key-1', $e->keyId);
        $this->assertSame(['kind' => 'storage', 'key' => 'videos/a.mp4'], $e->resource);
        $this->assertInstanceOf(Check::class, $e->firstFailure());
        $this->assertSame('expiry', $e->firstFailure()->name);
        $this->assertStringContainsString('expired 3 minutes ago', $e->firstFailure()->detail);
        $this->assertSame($e->checks[0]->toArray(), $e->toArray()['checks'][0]);
        $this->assertTrue(Verifier::fromSigner($s)->explain($url, ['now' => self::NOW + 1])->ok);
        $this->assertNull(Verifier::fromSigner($s)->explain($url, ['now' => self::NOW + 1])->firstFailure());
    }

    public function testExplainTokenAndWarnings(): void
    {
        $s = self::signer();
        $token = $s->sign('', ['never_expires' => true, 'now' => self::NOW]);
        $e = Verifier::fromSigner($s)->explainToken($token, ['now' => self::NOW]);
        $this->assertTrue($e->ok);
        $this->assertSame('', $e->url);
        $this->assertNull($e->form);
        $codes = array_map(static fn (AuditWarning $w) => $w->code, $e->warnings);
        $this->assertSame(['WHOLE_BUCKET', 'NEVER_EXPIRES'], $codes);
        $this->assertSame($codes, array_map(static fn ($w) => $w->code, Token::audit($token, self::NOW)));
        $this->assertSame($codes, array_map(static fn ($w) => $w->code, $s->audit($token, new \DateTimeImmutable('@' . self::NOW))));
        $this->expectException(InvalidArgumentException::class);
        Verifier::fromSigner($s)->explainToken($token, ['resource' => ['kind' => 'tape']]);
    }

    public function testDecodeAndUrls(): void
    {
        $token = self::signer()->sign('abc', ['now' => self::NOW]);
        ['header' => $h, 'claims' => $c] = Token::decodeUnverified($token);
        $this->assertEquals(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => 'key-1'], $h);
        $this->assertSame('abc', $c['uri']);
        $this->assertSame('https://play-abc.qencode.com/qhls/qlive/playlist.m3u8', Urls::livePlaybackUrl('abc'));
        $this->assertSame("https://l.example.com/abc.m3u8?auth=$token", Urls::liveCustomDomainUrl('l.example.com', 'abc', $token));
        $this->assertSame('https://bkt.media-storage.us-west.qencode.com/a/%C3%A9.mp4', Urls::storageUrl('bkt', 'us-west', 'a/é.mp4'));
        $this->assertSame('https://s.example.com/a', Urls::storageCustomDomainUrl('s.example.com', 'a'));
        $this->expectException(MalformedTokenException::class);
        Token::decodeUnverified('not.a.token');
    }
}
