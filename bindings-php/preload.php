<?php

declare(strict_types=1);

/*
 * Loads the qencode-cdn library once per server (PHP-FPM, Apache) instead of
 * once per request: the header is parsed and the library loaded into the FFI
 * scope "QENCODE_CDN", which the package then uses (FFI::scope). Two ways:
 *
 * 1. ffi.preload (works with any opcache.preload_user): write the header once,
 *      php vendor/qencode/cdn/preload.php --write-header /etc/php/qencode_cdn.h
 *    then in php.ini
 *      ffi.enable = preload
 *      ffi.preload = /etc/php/qencode_cdn.h
 *
 * 2. opcache.preload, when the server does not run as root (FFI::load refuses
 *    to run with opcache.preload_user):
 *      ffi.enable = preload
 *      opcache.preload = /path/to/vendor/qencode/cdn/preload.php
 *
 * The library is found as at run time: $QENCODE_CDN_LIBRARY, else lib/.
 */

require_once __DIR__ . '/src/Internal/Native.php';

use Qencode\Cdn\Internal\Native;

$qencodeCdnHeader = static function (): string {
    $library = realpath(Native::libraryPath());
    if ($library === false) {
        throw new RuntimeException('qencode/cdn preload: the library is not at ' . Native::libraryPath() . ' (set QENCODE_CDN_LIBRARY or put it in lib/)');
    }
    // FFI reads the scope and the library from #define lines at the top of the header.
    return sprintf("#define FFI_SCOPE \"%s\"\n#define FFI_LIB \"%s\"\n", Native::SCOPE, addcslashes($library, "\"\\"))
        . file_get_contents(Native::headerPath());
};

if (PHP_SAPI === 'cli' && isset($argv[0]) && realpath($argv[0]) === __FILE__) {
    if (($argv[1] ?? '') !== '--write-header' || !isset($argv[2])) {
        fwrite(STDERR, "usage: php preload.php --write-header PATH   (then ffi.preload = PATH)\n");
        exit(2);
    }
    file_put_contents($argv[2], $qencodeCdnHeader());
    echo "wrote $argv[2]: set ffi.enable = preload and ffi.preload = $argv[2]\n";
    return;
}

$file = tempnam(sys_get_temp_dir(), 'qencode-cdn-ffi-');
try {
    file_put_contents($file, $qencodeCdnHeader());
    FFI::load($file);
} finally {
    unlink($file);
}
unset($file, $qencodeCdnHeader);
