<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\Token;
use Qencode\Cdn\Verifier;

/**
 * The reference's PHP sample (tests/fixtures/reference-sample.php, a verbatim
 * copy) fails to load: `use FirebaseJWTJWT;` has no namespace separators, so
 * `JWT::encode` asks the autoloader for a global class `JWT` (never
 * `Firebase\JWT\JWT`, which firebase/php-jwt defines) and dies. The package's
 * two-line replacement (tests/fixtures/sample-fixed.php) prints a token that
 * verifies.
 */
final class SampleTest extends TestCase
{
    /** A project folder whose vendor/autoload.php logs every class PHP asks it for, then loads the package. */
    private static function project(): string
    {
        $dir = Support::tempDir();
        mkdir("$dir/vendor");
        file_put_contents("$dir/vendor/autoload.php", <<<'PHP'
            <?php
            spl_autoload_register(static function (string $class): void {
                fwrite(STDERR, "autoload asked for: $class\n");
            }, true, true);
            require getenv('QCDN_AUTOLOAD');
            PHP);
        copy(Support::path('tests/keys/rsa2048.pkcs1.pem'), "$dir/signing-key.pem");
        return $dir;
    }

    public function testTheReferenceSampleDoesNotLoad(): void
    {
        $dir = self::project();
        copy(__DIR__ . '/fixtures/reference-sample.php', "$dir/sample.php");
        [$code, $out, $err] = Support::php("$dir/sample.php", [], $dir, ['display_errors' => 'stderr', 'log_errors' => '0']);
        $this->assertSame(255, $code, $out . $err);
        $this->assertStringContainsString("The use statement with non-compound name 'FirebaseJWTJWT' has no effect", $err);
        $this->assertStringContainsString('autoload asked for: JWT', $err);
        $this->assertStringNotContainsString('Firebase\\JWT\\JWT', $err);
        $this->assertStringContainsString('Class "JWT" not found', $err);
        $this->assertSame('', $out, 'no token was printed');
    }

    public function testWithTheSeparatorsRestoredItWouldAskForFirebaseJwt(): void
    {
        $dir = self::project();
        $fixed = str_replace('use FirebaseJWTJWT;', 'use Firebase\JWT\JWT;', (string) file_get_contents(__DIR__ . '/fixtures/reference-sample.php'));
        file_put_contents("$dir/sample.php", $fixed);
        [$code, , $err] = Support::php("$dir/sample.php", [], $dir, ['display_errors' => 'stderr', 'log_errors' => '0']);
        $this->assertSame(255, $code);
        $this->assertStringContainsString('autoload asked for: Firebase\\JWT\\JWT', $err);
    }

    public function testThePackagesTwoLinesSignATokenThatVerifies(): void
    {
        $dir = self::project();
        copy(__DIR__ . '/fixtures/sample-fixed.php', "$dir/sample.php");
        $before = time();
        [$code, $token, $err] = Support::php("$dir/sample.php", [], $dir);
        $this->assertSame(0, $code, $err);
        $claims = Verifier::fromPublicKey(Support::read('tests/keys/rsa2048.spki.pem'))->verify($token, [
            'key_id' => 'your_signing_key_id',
            'resource' => ['kind' => 'live', 'playback_id' => 'your_stream_playback_id'],
        ]);
        $this->assertSame('your_stream_playback_id', $claims['uri']);
        $this->assertGreaterThanOrEqual($before + 3600, $claims['exp']);
        $this->assertLessThanOrEqual(time() + 3600, $claims['exp']);
        $this->assertEquals(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => 'your_signing_key_id'], Token::decodeUnverified($token)['header']);
    }
}
