<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use Qencode\Cdn\Testing\Emulator;

/** Shared helpers of the tests: repository files, one emulator per run, PHP subprocesses. */
final class Support
{
    private static ?Emulator $emulator = null;

    /** A file of the repository (test keys, conformance cases, docs). */
    public static function path(string $relative): string
    {
        return QCDN_ROOT . '/' . $relative;
    }

    public static function read(string $relative): string
    {
        $text = file_get_contents(self::path($relative));
        if ($text === false) {
            throw new \RuntimeException("cannot read $relative");
        }
        return $text;
    }

    /** One emulator process for the whole run, reset by the tests that need a clean one. */
    public static function emulator(): Emulator
    {
        if (self::$emulator === null || !self::$emulator->running()) {
            self::$emulator = Emulator::start();
        }
        return self::$emulator;
    }

    /**
     * Runs PHP code in a fresh process with the package's autoloader, from
     * `$cwd`; returns [exit code, stdout, stderr].
     *
     * @param array<string, string|false> $env changes to the environment (false unsets)
     * @return array{int, string, string}
     */
    public static function php(string $file, array $env = [], ?string $cwd = null, array $ini = []): array
    {
        $environment = getenv();
        foreach ($env as $k => $v) {
            if ($v === false) {
                unset($environment[$k]);
            } else {
                $environment[$k] = $v;
            }
        }
        $environment['QCDN_AUTOLOAD'] = QCDN_AUTOLOAD;
        $environment['QCDN_ROOT'] = QCDN_ROOT;
        $command = [PHP_BINARY];
        foreach ($ini as $k => $v) {
            $command[] = '-d';
            $command[] = "$k=$v";
        }
        $command[] = $file;
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $cwd, $environment);
        if (!is_resource($process)) {
            throw new \RuntimeException("cannot run $file");
        }
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $code = proc_close($process);
        return [$code, (string) $out, (string) $err];
    }

    /** The SoftHSM2 PKCS#11 module (Debian's softhsm2; QCDN_SOFTHSM_MODULE elsewhere). */
    public static function softhsmModule(): string
    {
        return getenv('QCDN_SOFTHSM_MODULE') ?: '/usr/lib/softhsm/libsofthsm2.so';
    }

    /**
     * A SoftHSM2 configuration of its own (never the system's) with the
     * given tokens (PIN 1234), each holding test keys: token label =>
     * [[key file under tests/keys, key label], …]. Returns the path for
     * SOFTHSM2_CONF, which the module reads when it is first loaded.
     *
     * @param array<string, list<array{string, string}>> $tokens
     */
    public static function softhsm(array $tokens): string
    {
        $dir = self::tempDir();
        mkdir("$dir/tokens");
        $conf = "$dir/softhsm2.conf";
        file_put_contents($conf, "directories.tokendir = $dir/tokens\nobjectstore.backend = file\nlog.level = ERROR\n");
        $id = 1;
        foreach ($tokens as $token => $keys) {
            self::softhsmUtil($conf, '--init-token', '--free', '--label', $token, '--pin', '1234', '--so-pin', '5678');
            foreach ($keys as [$file, $label]) {
                $hex = sprintf('%02x', $id++);
                self::softhsmUtil($conf, '--import', self::path("tests/keys/$file"), '--token', $token, '--label', $label, '--id', $hex, '--pin', '1234');
            }
        }
        return $conf;
    }

    /** Runs softhsm2-util with `$conf`; fails with its output. */
    public static function softhsmUtil(string $conf, string ...$args): void
    {
        $process = proc_open(['softhsm2-util', ...$args], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['SOFTHSM2_CONF' => $conf] + getenv());
        if (!is_resource($process)) {
            throw new \RuntimeException('softhsm2-util does not run (apt-get install softhsm2; tests/suites/62-php.sh does)');
        }
        $out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        if (proc_close($process) !== 0) {
            throw new \RuntimeException('softhsm2-util ' . implode(' ', $args) . ": $out");
        }
    }

    /** A fresh temporary directory, removed at exit. */
    public static function tempDir(): string
    {
        $dir = sys_get_temp_dir() . '/qcdn-php-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700, true);
        register_shutdown_function(static function () use ($dir): void {
            exec('rm -rf ' . escapeshellarg($dir));
        });
        return $dir;
    }
}
