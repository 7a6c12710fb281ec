<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\SecretString;

/**
 * No secret in any message, var_dump, print_r, var_export, json_encode or
 * trace: tests/fixtures/secrets.php dumps signers, clients, secrets and the
 * exceptions of bad keys, bad options and a refused API key, with traces
 * that keep their arguments (zend.exception_ignore_args=0).
 */
final class SecretsTest extends TestCase
{
    public function testNothingPrintedHoldsAKeyOrTheApiKey(): void
    {
        $apiKey = 'sk-test-' . bin2hex(random_bytes(12));
        [$code, $out, $err] = Support::php(__DIR__ . '/fixtures/secrets.php', [
            'SECRET_API_KEY' => $apiKey,
            'EMULATOR_URL' => Support::emulator()->url,
        ], null, ['zend.exception_ignore_args' => '0', 'display_errors' => 'stderr']);
        $this->assertSame(0, $code, $out . $err);
        $this->assertStringContainsString('done', $out);
        $codes = [
            'INVALID_ARGUMENT', 'INVALID_KEY', 'INVALID_KEY', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'UNAUTHORIZED',
            'INVALID_KEY', 'INVALID_KEY', 'SIGNER_FAILED',
        ];
        foreach ($codes as $i => $code) {
            $this->assertStringContainsString("case $i: $code\n", $out);
        }
        // The control proves that this configuration would show arguments.
        $this->assertStringContainsString('CONTROL-' . $apiKey, $out);
        $out = str_replace('CONTROL-' . $apiKey, '', $out);

        $this->assertStringNotContainsString($apiKey, $out . $err);
        $pem = Support::read('tests/keys/rsa2048.pkcs1.pem');
        $lines = array_filter(explode("\n", $pem), static fn ($l) => strlen($l) > 20 && !str_starts_with($l, "-----"));
        $this->assertGreaterThan(10, count($lines));
        foreach ($lines as $line) {
            foreach ([$line, str_replace('M', '#', $line), substr($line, 0, 24)] as $secret) {
                $this->assertStringNotContainsString($secret, $out . $err);
            }
        }
        $this->assertStringContainsString('<redacted>', $out);
    }

    public function testSecretStringRevealsOnlyOnRequest(): void
    {
        $s = new SecretString('hunter2-secret');
        $this->assertSame('hunter2-secret', $s->reveal());
        $this->assertSame('<redacted>', (string) $s);
        $this->assertSame('"<redacted>"', json_encode($s));
        $this->assertStringNotContainsString('hunter2', var_export($s, true) . print_r($s, true));
        $this->expectException(\LogicException::class);
        serialize(['k' => $s]);
    }
}
