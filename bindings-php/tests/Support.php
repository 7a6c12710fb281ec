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
