<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\Internal\Native;

/** How the package finds its library, and what it says when it cannot. */
final class PackageTest extends TestCase
{
    private static function script(string $code): string
    {
        $file = Support::tempDir() . '/script.php';
        file_put_contents($file, "<?php\nrequire getenv('QCDN_AUTOLOAD');\n$code\n");
        return $file;
    }

    public function testTheLibraryComesFromTheEnvironmentOrTheLibFolder(): void
    {
        $env = getenv('QENCODE_CDN_LIBRARY');
        $path = Native::libraryPath();
        if ($env === false || $env === '') {
            $this->assertSame(dirname((new \ReflectionClass(Native::class))->getFileName(), 3) . '/lib/libqencode_cdn.so', $path);
        } else {
            $this->assertSame($env, $path);
        }
        $this->assertFileExists($path);
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', Native::version());

        $file = self::script('echo Qencode\Cdn\Internal\Native::libraryPath(), " ", '
            . 'Qencode\Cdn\Signer::fromPem("k", file_get_contents(getenv("QCDN_ROOT") . "/tests/keys/rsa2048.pkcs1.pem"))->keyBits();');
        [$code, $out, $err] = Support::php($file, ['QENCODE_CDN_LIBRARY' => $path]);
        $this->assertSame(0, $code, $err);
        $this->assertSame("$path 2048", $out);
    }

    public function testAMissingLibraryIsAnInternalErrorThatSaysWhatToDo(): void
    {
        $file = self::script(<<<'PHP'
            try {
                Qencode\Cdn\Signer::fromPem('k', 'pem');
            } catch (Qencode\Cdn\InternalException $e) {
                echo $e->errorCode, ' ', $e->getCode(), ' ', $e->getMessage();
                exit(3);
            }
            PHP);
        [$code, $out, $err] = Support::php($file, ['QENCODE_CDN_LIBRARY' => '/nonexistent/libqencode_cdn.so']);
        $this->assertSame(3, $code, $out . $err);
        $this->assertStringStartsWith('INTERNAL 16 INTERNAL: the qencode-cdn library is not at /nonexistent/libqencode_cdn.so', $out);
        $this->assertStringContainsString('QENCODE_CDN_LIBRARY', $out);
    }

    public function testTheGeneratedHeaderNamesTheLibraryVersion(): void
    {
        $header = (string) file_get_contents(Native::headerPath());
        $this->assertMatchesRegularExpression('/QCDN_VERSION (\d+\.\d+\.\d+)/', $header);
        preg_match('/QCDN_VERSION (\d+\.\d+)\./', $header, $m);
        $this->assertStringStartsWith($m[1] . '.', Native::version());
        $this->assertStringNotContainsString('#', $header, 'PHP FFI reads no preprocessor lines');
    }

    public function testPreloadedScopeIsUsed(): void
    {
        $dir = Support::tempDir();
        $preload = dirname((new \ReflectionClass(Native::class))->getFileName(), 3) . '/preload.php';
        [$code, $out, $err] = Support::php($preload, [], null, []);
        $this->assertSame(2, $code, 'usage without arguments');
        $command = [PHP_BINARY, $preload, '--write-header', "$dir/qencode_cdn.h"];
        exec(implode(' ', array_map('escapeshellarg', $command)) . ' 2>&1', $lines, $status);
        $this->assertSame(0, $status, implode("\n", $lines));
        $defines = "#define FFI_SCOPE \"QENCODE_CDN\"\n#define FFI_LIB \"" . realpath(Native::libraryPath()) . "\"\n";
        $this->assertStringStartsWith($defines, (string) file_get_contents("$dir/qencode_cdn.h"));

        file_put_contents("$dir/script.php", <<<'PHP'
            <?php
            require getenv('QCDN_AUTOLOAD');
            echo FFI::scope('QENCODE_CDN')->qcdn_version(), ' ';
            $pem = file_get_contents(getenv('QCDN_ROOT') . '/tests/keys/rsa2048.pkcs1.pem');
            echo Qencode\Cdn\Signer::fromPem('k', $pem)->keyBits();
            // External signers (FFI callbacks) work with ffi.enable=preload too.
            $key = openssl_pkey_get_private($pem);
            $external = Qencode\Cdn\Signer::external('k', openssl_pkey_get_details($key)['key'], function (string $input) use ($key) {
                openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
                return $signature;
            });
            $results = $external->cached(60)->signMany(['a', 'b']);
            $local = Qencode\Cdn\Signer::fromPem('k', $pem);
            echo ' ', $external->sign('a', ['now' => 1700000000]) === $local->sign('a', ['now' => 1700000000]) ? 'same' : 'DIFFERENT';
            echo ' ', count($results), ' ', $results[1]->ok ? 'ok' : 'failed';
            PHP);
        // The library path is only in the preloaded header: a wrong QENCODE_CDN_LIBRARY at run time proves the scope is used.
        $ini = ['ffi.enable' => 'preload', 'ffi.preload' => "$dir/qencode_cdn.h"];
        [$code, $out, $err] = Support::php("$dir/script.php", ['QENCODE_CDN_LIBRARY' => '/nonexistent.so'], null, $ini);
        $this->assertSame(0, $code, $out . $err);
        $this->assertSame(Native::version() . ' 2048 same 2 ok', $out);
    }
}
