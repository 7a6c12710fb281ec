<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\InvalidSignatureException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\UnknownKeyIdException;
use Qencode\Cdn\Verifier;

/** Key sets from PHP values: kid => key maps, [kid, key] pairs, JWK Sets as text or arrays, the exported set. */
final class KeySetTest extends TestCase
{
    public function testARotationWithTwoKeys(): void
    {
        $old = Signer::fromPem('key-2024', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $new = Signer::fromPem('key-2025', Support::read('tests/keys/rsa4096.pkcs1.pem'));
        $keys = Verifier::fromKeys([
            'key-2024' => $old->publicKeyPem(),                       // PEM text
            'key-2025' => Support::read('tests/keys/rsa4096.spki.pem'),
        ]);
        $this->assertSame(['key-2024', 'key-2025'], $keys->keyIds());
        $this->assertSame('a', $keys->verify($old->sign('a'))['uri']);
        $this->assertSame('b', $keys->verify($new->sign('b'))['uri']);
        $this->assertSame('b', $keys->verify($new->sign('b'), ['key_id' => 'key-2025'])['uri']);

        $retired = Signer::fromPem('key-2023', Support::read('tests/keys/rsa4096-b.pkcs1.pem'));
        try {
            $keys->verify($retired->sign('a'));
            $this->fail('a key outside the set was accepted');
        } catch (UnknownKeyIdException $e) {
            foreach (['key-2023', 'key-2024', 'key-2025'] as $id) {
                $this->assertStringContainsString($id, $e->getMessage());
            }
        }
        // The right kid, the wrong key.
        $impostor = Signer::fromPem('key-2024', Support::read('tests/keys/rsa4096-b.pkcs1.pem'));
        $this->expectException(InvalidSignatureException::class);
        $keys->verify($impostor->sign('a'));
    }

    public function testKeyFormsAndPairs(): void
    {
        $signer = Signer::fromPem('7', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $token = $signer->sign('a');
        $forms = [
            'DER bytes' => Support::read('tests/keys/rsa2048.spki.der'),
            'base64 of DER' => base64_encode(Support::read('tests/keys/rsa2048.spki.der')),
            'a JWK' => $signer->publicKeyJwk(),
            'PKCS#1 PEM' => Support::read('tests/keys/rsa2048.pkcs1-public.pem'),
        ];
        foreach ($forms as $form => $key) {
            // A numeric kid is an int key of a PHP array: still the kid "7".
            $this->assertSame(['7'], Verifier::fromKeys([7 => $key])->keyIds(), $form);
            $this->assertSame('a', Verifier::fromKeys(['7' => $key])->verify($token)['uri'], $form);
            $this->assertSame('a', Verifier::fromKeys([['7', $key]])->verify($token)['uri'], $form);
        }
        $pairs = (static function () use ($forms): \Generator {
            yield 'k1' => $forms['DER bytes'];
            yield 'k2' => Support::read('tests/keys/rsa4096.spki.pem');
        })();
        $this->assertSame(['k1', 'k2'], Verifier::fromKeys($pairs)->keyIds());
    }

    public function testRefusedKeySets(): void
    {
        $pem = Support::read('tests/keys/rsa2048.spki.pem');
        $cases = [
            'no keys' => [fn () => Verifier::fromKeys([]), InvalidArgumentException::class, ''],
            'a repeated kid' => [fn () => Verifier::fromKeys([['k', $pem], ['k', $pem]]), InvalidKeyException::class, 'k'],
            'an empty kid' => [fn () => Verifier::fromKeys(['' => $pem]), InvalidKeyException::class, ''],
            'not a key' => [fn () => Verifier::fromKeys(['good' => $pem, 'bad-one' => 'not a key']), InvalidKeyException::class, 'bad-one'],
            'a pair of three' => [fn () => Verifier::fromKeys([['k', $pem, 'x']]), InvalidArgumentTypeException::class, '[kid, key]'],
            'a key that is not text' => [fn () => Verifier::fromKeys(['k' => 42]), InvalidArgumentException::class, ''],
            'an EC key in a JWK Set' => [
                fn () => Verifier::fromJwks(['keys' => [['kty' => 'EC', 'kid' => 'ec-1', 'crv' => 'P-256', 'x' => 'AA', 'y' => 'AA']]]),
                InvalidKeyException::class,
                'ec-1',
            ],
            'an empty JWK Set' => [fn () => Verifier::fromJwks(['keys' => []]), InvalidArgumentException::class, ''],
            'not JSON' => [fn () => Verifier::fromJwks('keys: []'), InvalidKeyException::class, ''],
        ];
        foreach ($cases as $name => [$fn, $class, $contains]) {
            try {
                $fn();
                $this->fail("$name: accepted");
            } catch (InvalidArgumentException | InvalidKeyException $e) {
                $this->assertInstanceOf($class, $e, "$name: " . $e->getMessage());
                $this->assertStringContainsString($contains, $e->getMessage(), $name);
            }
        }
    }

    public function testTheExportedSetReadsBack(): void
    {
        $a = Signer::fromPem('key-a', Support::read('tests/keys/rsa2048.pkcs1.pem'));
        $b = Signer::fromPem('key-b', Support::read('tests/keys/rsa4096.pkcs1.pem'));
        $set = Verifier::fromKeys(['key-a' => $a->publicKeyPem(), 'key-b' => $b->publicKeyPem()]);
        $jwks = $set->jwks();
        $this->assertSame(['key-a', 'key-b'], array_column($jwks['keys'], 'kid'));
        foreach ($jwks['keys'] as $key) {
            $this->assertSame(['RSA', 'RS256', 'sig'], [$key['kty'], $key['alg'], $key['use']]);
        }
        $this->assertSame(json_decode($a->publicKeyJwk(), true), $jwks['keys'][0]);
        // Published as JSON, read back as text or as the decoded array.
        $text = json_encode($jwks);
        foreach ([Verifier::fromJwks($text), Verifier::fromJwks(json_decode($text, true)), Verifier::fromPublicKey($text)] as $back) {
            $this->assertSame($jwks, $back->jwks());
            $this->assertSame('x', $back->verify($b->sign('x'))['uri']);
        }
        // One key: its own set; without a key id, a set without kid and no key ids.
        $this->assertSame(['key-a'], Verifier::fromSigner($a)->keyIds());
        $plain = Verifier::fromPublicKey(Support::read('tests/keys/rsa2048.spki.pem'));
        $this->assertSame([], $plain->keyIds());
        $this->assertArrayNotHasKey('kid', $plain->jwks()['keys'][0]);
    }
}
