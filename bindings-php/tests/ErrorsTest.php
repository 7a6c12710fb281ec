<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\ApiException;
use Qencode\Cdn\DecodeException;
use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\InternalException;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\InvalidSignatureException;
use Qencode\Cdn\MalformedTokenException;
use Qencode\Cdn\NotFoundException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\RateLimitedException;
use Qencode\Cdn\SignerFailedException;
use Qencode\Cdn\TimeoutException;
use Qencode\Cdn\TokenException;
use Qencode\Cdn\TokenExpiredException;
use Qencode\Cdn\TokenNotYetValidException;
use Qencode\Cdn\TransportException;
use Qencode\Cdn\UnauthorizedException;
use Qencode\Cdn\UnknownKeyIdException;
use Qencode\Cdn\UriMismatchException;

/** The error table of DESIGN §5: every code the library names has its class, code string and number. */
final class ErrorsTest extends TestCase
{
    /** code => [class, parent classes it must also be] */
    private const TABLE = [
        'INVALID_ARGUMENT' => [InvalidArgumentException::class, []],
        'INVALID_KEY' => [InvalidKeyException::class, []],
        'MALFORMED_TOKEN' => [MalformedTokenException::class, [TokenException::class]],
        'INVALID_SIGNATURE' => [InvalidSignatureException::class, [TokenException::class]],
        'TOKEN_EXPIRED' => [TokenExpiredException::class, [TokenException::class]],
        'TOKEN_NOT_YET_VALID' => [TokenNotYetValidException::class, [TokenException::class]],
        'URI_MISMATCH' => [UriMismatchException::class, [TokenException::class]],
        'UNKNOWN_KEY_ID' => [UnknownKeyIdException::class, [TokenException::class]],
        'UNAUTHORIZED' => [UnauthorizedException::class, [ApiException::class]],
        'NOT_FOUND' => [NotFoundException::class, [ApiException::class]],
        'RATE_LIMITED' => [RateLimitedException::class, [ApiException::class]],
        'API_ERROR' => [ApiException::class, []],
        'TRANSPORT' => [TransportException::class, []],
        'TIMEOUT' => [TimeoutException::class, []],
        'DECODE' => [DecodeException::class, []],
        'INTERNAL' => [InternalException::class, []],
        'SIGNER_FAILED' => [SignerFailedException::class, []],
    ];

    public function testEveryStatusOfTheLibraryIsMapped(): void
    {
        $ffi = Native::ffi();
        $this->assertSame('OK', $ffi->qcdn_status_str(0));
        $seen = [];
        for ($n = 1; ($code = $ffi->qcdn_status_str($n)) !== 'UNKNOWN'; $n++) {
            // A code the library gains and this package does not map fails here
            // (Native::exception has no default arm: UnhandledMatchError).
            $e = Native::exception($code, $n, 'message');
            $this->assertArrayHasKey($code, self::TABLE, "code $code ($n) is not in the test's table");
            [$class, $parents] = self::TABLE[$code];
            $this->assertSame($class, get_class($e), $code);
            foreach ([QencodeException::class, \RuntimeException::class, ...$parents] as $parent) {
                $this->assertInstanceOf($parent, $e, $code);
            }
            $this->assertSame($code, $e->errorCode);
            $this->assertSame($n, $e->getCode());
            $this->assertSame("$code: message", $e->getMessage());
            $this->assertNull($e->status);
            $seen[] = $code;
        }
        $this->assertGreaterThanOrEqual(16, count($seen));
        $this->assertSame(array_slice(array_keys(self::TABLE), 0, 16), array_slice($seen, 0, 16), 'the numbers of DESIGN §5 are fixed');
    }

    public function testSignerFailedIsMappedBeforeTheLibraryHasIt(): void
    {
        $e = Native::exception('SIGNER_FAILED', 17, 'the HSM said no');
        $this->assertInstanceOf(SignerFailedException::class, $e);
        $this->assertSame(17, $e->getCode());
    }

    public function testAnUnknownCodeIsNotSilentlyMapped(): void
    {
        $this->expectException(\UnhandledMatchError::class);
        Native::exception('NEW_CODE', 99, 'x');
    }

    public function testDetailsOfApiErrors(): void
    {
        $e = Native::exception('RATE_LIMITED', 11, 'HTTP 429', 429, 1.5, '{"error":"slow down"}', 'req-1');
        $this->assertInstanceOf(RateLimitedException::class, $e);
        $this->assertSame([429, 1.5, '{"error":"slow down"}', 'req-1'], [$e->status, $e->retryAfter, $e->body, $e->requestId]);
        $t = Native::exception('INVALID_ARGUMENT', 1, 'expires_in is null', null, null, null, null, true);
        $this->assertInstanceOf(InvalidArgumentTypeException::class, $t);
        $this->assertInstanceOf(InvalidArgumentException::class, $t);
    }

    public function testLibraryErrorsCarryTheCoreMessage(): void
    {
        try {
            \Qencode\Cdn\Signer::fromPem('key-1', Support::read('tests/keys/rsa1024.pkcs1.pem'));
            $this->fail('a 1024-bit key was accepted');
        } catch (InvalidKeyException $e) {
            $this->assertSame(2, $e->getCode());
            $this->assertStringContainsString('1024', $e->getMessage());
        }
    }
}
