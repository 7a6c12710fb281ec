<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;

/**
 * Every ```php example of docs/php.md runs, as a user's script in a project
 * folder (vendor/autoload.php, signing-key.pem), with assertions on
 * (zend.assertions=1): exit 0, nothing on stderr, and the lines it is shown
 * to print.
 */
final class DocsTest extends TestCase
{
    /** @return array<string, array{string}> */
    public static function examples(): array
    {
        preg_match_all('/```php\n(.*?)```/s', Support::read('docs/php.md'), $m);
        $out = [];
        foreach ($m[1] as $i => $code) {
            $out['example ' . ($i + 1)] = [$code];
        }
        return $out;
    }

    public function testThereAreExamples(): void
    {
        $this->assertGreaterThanOrEqual(14, count(self::examples()));
    }

    /** @dataProvider examples */
    public function testExampleRuns(string $code): void
    {
        $this->assertStringStartsWith("<?php\nrequire 'vendor/autoload.php';\n", $code);
        $dir = Support::tempDir();
        mkdir("$dir/vendor");
        file_put_contents("$dir/vendor/autoload.php", "<?php\nrequire getenv('QCDN_AUTOLOAD');\n");
        copy(Support::path('tests/keys/rsa2048.pkcs1.pem'), "$dir/signing-key.pem");
        file_put_contents("$dir/example.php", $code);
        // The key in the environment only for the example that says it reads it from there.
        $env = str_contains($code, 'Signer::fromEnv()')
            ? [
                'QENCODE_SIGNING_KEY' => str_replace("\n", '\n', Support::read('tests/keys/rsa2048.pkcs1.pem')),
                'QENCODE_SIGNING_KEY_ID' => 'your_signing_key_id',
            ]
            : ['QENCODE_SIGNING_KEY' => false, 'QENCODE_SIGNING_KEY_ID' => false];
        if (str_contains($code, 'fromPkcs11(')) {
            // The token the example names, in a SoftHSM2 configuration of its own.
            $env += [
                'SOFTHSM2_CONF' => Support::softhsm(['video-signing' => [['rsa2048.pkcs8.pem', 'video-key']]]),
                'PKCS11_MODULE' => Support::softhsmModule(),
                'HSM_PIN' => '1234',
            ];
        }
        $ini = ['zend.assertions' => '1', 'assert.exception' => '1', 'display_errors' => 'stderr'];
        [$status, $out, $err] = Support::php("$dir/example.php", $env, $dir, $ini);
        $this->assertSame(0, $status, $out . $err);
        $this->assertSame('', $err);
        // What the comments say it prints (`echo …; // shown`), where they say it.
        $want = [
            "'videos/intro.mp4', ['expires_in' => 600]" => 'https://my-bucket.media-storage.us-west.qencode.com/videos/intro.mp4?auth=eyJ',
            'Signer::fromEnv()' => 'your_signing_key_id 2048',
            "'expires' => 600" => 'INVALID_ARGUMENT: INVALID_ARGUMENT: unknown sign option `expires`',
            'openssl_verify(' => 'openssl_verify: valid',
            // Max-Age counts from when the cookie is made, after the signature: a second may have passed.
            'signedCookie(' => '~Path=/videos/a/; Max-Age=(3600|3599); Secure; HttpOnly; SameSite=Lax~',
            'explain($url' => "expiry         FAIL  expired",
            'Urls::storageUrl' => 'https://my-bucket.media-storage.eu-central.qencode.com/videos/my%20intro.mp4',
            "'no-such-domain'" => "200\nNOT_FOUND 404\n1\n",
            'Stream::coverage(' => "false query_token_not_propagated\nquery_token_not_propagated 403\n",
            'InvalidKeyException $e' => 'INVALID_KEY (2): INVALID_KEY:',
            "'key-2024' =>" => "key-2024, key-2025\nUNKNOWN_KEY_ID\n",
            "'KMS: throttled'" => [
                'https://play-your-playback-id.qencode.com/qhls/qlive/playlist.m3u8?auth=eyJ',
                "\nSIGNER_FAILED KMS: throttled\n",
            ],
            'fromPkcs11(' => "2048 external\n",
            'signMany([' => "token eyJ…\ntoken eyJ…\nINVALID_ARGUMENT\n1 token cached, window 300 s\n",
        ];
        $checked = false;
        foreach ($want as $marker => $texts) {
            if (str_contains($code, $marker)) {
                foreach ((array) $texts as $text) {
                    if ($text[0] === '~') {
                        $this->assertMatchesRegularExpression($text, $out);
                    } else {
                        $this->assertStringContainsString($text, $out);
                    }
                }
                $checked = true;
            }
        }
        $this->assertTrue($checked || $out === '', "an example's output is not checked:\n$out");
        if (str_contains($code, 'TokenException $e')) {
            $this->assertStringContainsString("videos/a/\nURI_MISMATCH\n", $out);
        }
        if (str_contains($code, 'Signer::fromEnv(\'your_signing_key_id\')')) {
            $this->assertStringContainsString('INVALID_ARGUMENT: INVALID_ARGUMENT:', $out);
            $this->assertStringContainsString('QENCODE_SIGNING_KEY', $out);
        }
    }
}
