<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\SecretString;
use Qencode\Cdn\Signer;
use Qencode\Cdn\SignerFailedException;
use Qencode\Cdn\Verifier;

/**
 * Signer::fromPkcs11 against a real PKCS#11 module, SoftHSM2 (Debian
 * `softhsm2`, installed by tests/suites/62-php.sh): tokens initialised in a
 * temporary folder of their own (SOFTHSM2_CONF, read when the module is
 * first loaded in this process), the test keys imported, every golden
 * token signed on the token byte for byte. A wrong PIN, a missing key,
 * token or module, and a token removed while in use.
 */
final class Pkcs11Test extends TestCase
{
    private const PIN = '1234';
    private const TOKEN = 'qcdn-test';
    private const REMOVABLE = 'removable'; // deleted by the test of a token removed while in use
    private const LOCKED = 'locked';       // nobody logs in (PKCS#11 login is per token and process): the wrong PIN's token

    private static string $module;
    private static string $conf;

    public static function setUpBeforeClass(): void
    {
        self::$module = Support::softhsmModule();
        self::assertFileExists(self::$module, 'SoftHSM2 is not installed: apt-get install softhsm2 (tests/suites/62-php.sh does)');
        self::$conf = Support::softhsm([
            self::TOKEN => [['rsa2048.pkcs8.pem', 'video-key'], ['rsa4096.pkcs8.pem', 'video-key-4096']],
            self::REMOVABLE => [['rsa2048.pkcs8.pem', 'k']],
            self::LOCKED => [['rsa2048.pkcs8.pem', 'k']],
        ]);
        putenv('SOFTHSM2_CONF=' . self::$conf);
    }

    public function testTheHsmSignsEveryGoldenTokenByteForByte(): void
    {
        $signers = [];
        $checked = 0;
        foreach (ConformanceTest::cases() as [$case]) {
            $key = $case['input']['signer']['key'] ?? null;
            if ($case['op'] !== 'sign' || !isset($case['expect']['token']) || !is_string($key)) {
                continue;
            }
            $label = match (true) {
                str_starts_with($key, 'tests/keys/rsa2048.') => 'video-key',
                str_starts_with($key, 'tests/keys/rsa4096.') => 'video-key-4096',
                default => null,
            };
            if ($label === null) {
                continue;
            }
            $kid = $case['input']['signer']['kid'];
            $signer = $signers["$label $kid"] ??= Signer::fromPkcs11(self::$module, self::TOKEN, $label, self::PIN, $kid);
            $this->assertTrue($signer->isExternal());
            $this->assertSame($case['expect']['token'], $signer->sign($case['input']['uri'], $case['input']['options'] ?? []), $case['name']);
            $checked++;
        }
        $this->assertGreaterThanOrEqual(30, $checked, 'golden tokens signed on the HSM');
    }

    public function testBatchesOnEveryCoreAndCaches(): void
    {
        $signer = Signer::fromPkcs11(self::$module, self::TOKEN, 'video-key', new SecretString(self::PIN), 'key-1');
        $verifier = Verifier::fromSigner($signer);
        $results = $signer->signMany(array_merge(array_map(static fn ($i) => "videos/$i/", range(0, 15)), ['/bad']), 4);
        $this->assertSame(array_merge(array_fill(0, 16, true), [false]), array_map(static fn ($r) => $r->ok, $results));
        foreach (array_slice($results, 0, 16) as $i => $r) {
            $this->assertSame("videos/$i/", $verifier->verify($r->token())['uri']);
        }
        $cached = $signer->cached(60);
        $this->assertSame($cached->sign('a'), $cached->sign('a'));
        $this->assertTrue($cached->isExternal());
        $this->assertStringNotContainsString(self::PIN, print_r($signer, true));
    }

    public function testAWrongPinAMissingKeyTokenOrModuleAreInvalidKey(): void
    {
        $wrongPin = '97531';
        $cases = [
            'wrong PIN' => [self::$module, self::LOCKED, 'k', $wrongPin],
            'no private key' => [self::$module, self::TOKEN, 'no-such-key', self::PIN],
            'no token' => [self::$module, 'no-such-token', 'video-key', self::PIN],
            'cannot load' => ['/no/such/module.so', self::TOKEN, 'video-key', self::PIN],
        ];
        foreach ($cases as $words => [$module, $token, $label, $pin]) {
            try {
                Signer::fromPkcs11($module, $token, $label, $pin, 'k');
                $this->fail("$words: a signer was made");
            } catch (InvalidKeyException $e) {
                $this->assertStringContainsString($words, $e->getMessage());
                $shown = $e->getMessage() . $e->getTraceAsString();
                $this->assertStringNotContainsString($wrongPin, $shown);
                $this->assertStringNotContainsString("'" . self::PIN . "'", $shown);
                foreach ($e->getTrace() as $frame) {
                    if (str_starts_with($frame['class'] ?? '', 'Qencode\\Cdn\\') && !str_starts_with($frame['class'], 'Qencode\\Cdn\\Tests')) {
                        $this->assertArrayNotHasKey('args', $frame, 'the package\'s frames keep no arguments (the PIN)');
                    }
                }
            }
        }
    }

    public function testATokenRemovedWhileInUseFailsSigningWithSignerFailed(): void
    {
        $signer = Signer::fromPkcs11(self::$module, self::REMOVABLE, 'k', self::PIN, 'key-1');
        $this->assertNotSame('', $signer->sign('abc'));
        Support::softhsmUtil(self::$conf, '--delete-token', '--token', self::REMOVABLE);
        try {
            $signer->sign('abc');
            $this->fail('a removed token signed');
        } catch (SignerFailedException $e) {
            $this->assertStringContainsString(self::REMOVABLE, $e->getMessage());
            $this->assertNull($e->getPrevious(), 'not a PHP callable\'s failure');
        }
    }
}
