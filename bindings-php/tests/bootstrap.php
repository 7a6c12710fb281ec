<?php

declare(strict_types=1);

/*
 * Loads the package as a user has it: the autoloader of the project it was
 * installed into with Composer ($QCDN_PHP_AUTOLOAD, set by
 * tests/suites/62-php.sh), else the package's own vendor/autoload.php
 * (`composer dump-autoload` in bindings-php/). $QCDN_ROOT is the repository
 * (test keys, conformance cases, docs).
 */

$autoload = getenv('QCDN_PHP_AUTOLOAD') ?: dirname(__DIR__) . '/vendor/autoload.php';
if (!is_file($autoload)) {
    fwrite(STDERR, "tests/bootstrap.php: no autoloader at $autoload (run composer dump-autoload in bindings-php/, or set QCDN_PHP_AUTOLOAD)\n");
    exit(1);
}
require $autoload;

define('QCDN_ROOT', rtrim(getenv('QCDN_ROOT') ?: dirname(__DIR__, 2), '/'));
define('QCDN_AUTOLOAD', realpath($autoload));

if (getenv('QCDN_PHP_AUTOLOAD')) {
    // The classes must come from the installed copy, never from this source folder.
    $file = (new ReflectionClass(Qencode\Cdn\Signer::class))->getFileName();
    $vendor = dirname(QCDN_AUTOLOAD);
    if (!str_starts_with($file, $vendor . '/')) {
        fwrite(STDERR, "tests/bootstrap.php: Qencode\\Cdn\\Signer loaded from $file, not from the installed package under $vendor\n");
        exit(1);
    }
}

require __DIR__ . '/Support.php';
require __DIR__ . '/CountingSigner.php';
