<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidSignatureException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Verifier;

/**
 * PHP's own OpenSSL and our tokens: every token the conformance cases expect
 * (the golden vectors are the sign cases of tests/conformance/sign.json)
 * verifies with `openssl_verify(…, OPENSSL_ALGO_SHA256)` against the key's
 * public half and carries the case's kid and uri, and an RS256 token made
 * with `openssl_sign` is accepted by our Verifier (an HS256 one refused).
 */
final class InteropTest extends TestCase
{
    private static function b64url(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }

    private static function unb64url(string $text): string
    {
        return (string) base64_decode(strtr($text, '-_', '+/'), true);
    }

    /**
     * Every expected token with the key file and kid that signed it and the uri it covers.
     * @return list<array{string, string, string, string, string}>
     */
    private static function expectedTokens(): array
    {
        $tokens = [];
        foreach (glob(QCDN_ROOT . '/tests/conformance/*.json') as $file) {
            foreach (json_decode((string) file_get_contents($file), true)['cases'] as $case) {
                $token = $case['expect']['token'] ?? null;
                $key = $case['input']['signer']['key'] ?? null;
                if (is_string($token) && is_string($key)) {
                    $tokens[] = [$case['name'], $key, $token, $case['input']['signer']['kid'], $case['input']['uri']];
                }
            }
        }
        return $tokens;
    }

    public function testOpensslVerifiesEveryExpectedToken(): void
    {
        $tokens = self::expectedTokens();
        $this->assertGreaterThanOrEqual(30, count($tokens));
        $public = [];
        foreach ($tokens as [$name, $keyFile, $token, $kid, $uri]) {
            $public[$keyFile] ??= openssl_pkey_get_details(openssl_pkey_get_private(Support::read($keyFile)))['key'];
            [$h, $p, $s] = explode('.', $token);
            $this->assertSame(1, openssl_verify("$h.$p", self::unb64url($s), $public[$keyFile], OPENSSL_ALGO_SHA256), $name);
            $this->assertSame(0, openssl_verify("$h.$p" . 'x', self::unb64url($s), $public[$keyFile], OPENSSL_ALGO_SHA256), $name);
            $this->assertSame(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => $kid], json_decode(self::unb64url($h), true), $name);
            $this->assertSame($uri, json_decode(self::unb64url($p), true)['uri'], $name);
        }
    }

    public function testOpensslVerifiesAFreshToken(): void
    {
        $signer = Signer::fromPem('key-1', Support::read('tests/keys/rsa4096.pkcs1.pem'));
        [$h, $p, $s] = explode('.', $signer->sign('videos/a/', ['expires_in' => 600]));
        $this->assertSame(1, openssl_verify("$h.$p", self::unb64url($s), Support::read('tests/keys/rsa4096.spki.pem'), OPENSSL_ALGO_SHA256));
        $this->assertSame(0, openssl_verify("$h.$p" . 'x', self::unb64url($s), Support::read('tests/keys/rsa4096.spki.pem'), OPENSSL_ALGO_SHA256));
        $claims = json_decode(self::unb64url($p), true);
        $this->assertSame('videos/a/', $claims['uri']);
        $this->assertEqualsWithDelta(time() + 600, $claims['exp'], 5);
    }

    public function testVerifierAcceptsATokenMadeWithOpensslSign(): void
    {
        $now = 1700000000;
        $input = self::b64url(json_encode(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => 'key-1']))
            . '.' . self::b64url(json_encode(['uri' => 'videos/a/', 'exp' => $now + 60, 'viewer' => 'u-42'], JSON_UNESCAPED_SLASHES));
        $this->assertTrue(openssl_sign($input, $sig, openssl_pkey_get_private(Support::read('tests/keys/rsa2048.pkcs1.pem')), OPENSSL_ALGO_SHA256));
        $token = $input . '.' . self::b64url($sig);

        $verifier = Verifier::fromPublicKey(Support::read('tests/keys/rsa2048.spki.pem'));
        $claims = $verifier->verify($token, ['now' => $now, 'key_id' => 'key-1', 'resource' => ['kind' => 'storage', 'key' => 'videos/a/b.mp4']]);
        $this->assertSame(['uri' => 'videos/a/', 'exp' => $now + 60, 'viewer' => 'u-42'], $claims);
        // The same token is what our signer makes from the same claims (RS256 is deterministic).
        $ours = Signer::fromPem('key-1', Support::read('tests/keys/rsa2048.pkcs1.pem'))
            ->sign('videos/a/', ['now' => $now, 'expires_in' => 60, 'claims' => ['viewer' => 'u-42']]);
        $this->assertSame($token, $ours);
    }

    public function testHs256TokenWithThePemAsSecretIsRefused(): void
    {
        $pem = Support::read('tests/keys/rsa2048.pkcs1.pem');
        $input = self::b64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT', 'kid' => 'key-1']))
            . '.' . self::b64url(json_encode(['uri' => 'abc', 'exp' => 1700000060]));
        $token = $input . '.' . self::b64url(hash_hmac('sha256', $input, $pem, true));
        $this->expectException(InvalidSignatureException::class);
        Verifier::fromPublicKey(Support::read('tests/keys/rsa2048.spki.pem'))->verify($token, ['now' => 1700000000]);
    }
}
