<?php

declare(strict_types=1);

/*
 * Generates resources/qencode_cdn.h, the copy of the C header that PHP's FFI
 * parser reads, from the committed include/qencode_cdn.h (cbindgen's output):
 * comments and preprocessor lines removed, the conditional blocks resolved as
 * a C11 compiler sees them (no __cplusplus, __STDC_VERSION__ = 201112L), so
 * every enum is a uint32_t typedef, exactly the ABI a C caller links against.
 * Declarations are otherwise copied unchanged.
 *
 * Usage: php tools/gen-ffi-header.php [--check] [INPUT] [OUTPUT]
 *   defaults: ../include/qencode_cdn.h (from the package folder) and resources/qencode_cdn.h.
 *   --check: fail (exit 1) when OUTPUT differs from what INPUT generates (drift).
 * A preprocessor condition this script does not know is an error: a header
 * change of that kind needs a look, not a guess.
 */

$args = array_slice($argv, 1);
$check = false;
if (($i = array_search('--check', $args, true)) !== false) {
    $check = true;
    array_splice($args, $i, 1);
}
$package = dirname(__DIR__);
$input = $args[0] ?? $package . '/../include/qencode_cdn.h';
$output = $args[1] ?? $package . '/resources/qencode_cdn.h';

$source = file_get_contents($input);
if ($source === false) {
    fwrite(STDERR, "gen-ffi-header: cannot read $input\n");
    exit(2);
}

// 1. Comments out (block and line), keeping line structure for the directives.
$source = preg_replace('~/\*.*?\*/~s', '', $source);
$source = preg_replace('~//[^\n]*~', '', $source);

// 2. Directives, evaluated for C11.
$known = [
    'defined(__cplusplus) || __STDC_VERSION__ >= 202311L' => false,
    '__STDC_VERSION__ >= 202311L' => false,
];
$stack = [];   // each: [active-before, condition-value, in-else]
$active = true;
$out = [];
$version = [];
foreach (explode("\n", $source) as $n => $line) {
    $t = trim($line);
    if ($t === '') {
        continue;
    }
    if ($t[0] !== '#') {
        if ($active) {
            $out[] = rtrim($line);
        }
        continue;
    }
    if (!preg_match('/^#\s*(\w+)\s*(.*)$/', $t, $m)) {
        fail($n, $t);
    }
    [$all, $directive, $rest] = $m;
    $rest = trim($rest);
    switch ($directive) {
        case 'ifndef':
        case 'ifdef':
            if ($rest === '__cplusplus') {
                $value = $directive === 'ifndef';
            } elseif ($rest === 'QENCODE_CDN_H') {
                $value = $directive === 'ifndef';
            } else {
                fail($n, $t);
            }
            $stack[] = [$active, $value];
            $active = $active && $value;
            break;
        case 'if':
            if (!array_key_exists($rest, $known)) {
                fail($n, $t);
            }
            $stack[] = [$active, $known[$rest]];
            $active = $active && $known[$rest];
            break;
        case 'else':
            [$before, $value] = array_pop($stack);
            $stack[] = [$before, !$value];
            $active = $before && !$value;
            break;
        case 'endif':
            [$before] = array_pop($stack);
            $active = $before;
            break;
        case 'include':
            if (!in_array($rest, ['<stdbool.h>', '<stddef.h>', '<stdint.h>'], true)) {
                fail($n, $t);
            }
            break;
        case 'define':
            if (preg_match('/^QCDN_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)$/', $rest, $v)) {
                $version[$v[1]] = $v[2];
            } elseif ($rest !== 'QENCODE_CDN_H') {
                fail($n, $t);
            }
            break;
        default:
            fail($n, $t);
    }
}
if ($stack !== [] || count($version) !== 3) {
    fwrite(STDERR, "gen-ffi-header: unbalanced conditionals or no QCDN_VERSION_* in $input\n");
    exit(1);
}

$text = "/* Generated from include/qencode_cdn.h by tools/gen-ffi-header.php for PHP's FFI parser;\n"
    . " * do not edit. Read the original for the documentation of every declaration.\n"
    . " * QCDN_VERSION {$version['MAJOR']}.{$version['MINOR']}.{$version['PATCH']} */\n"
    . implode("\n", $out) . "\n";

if ($check) {
    $have = @file_get_contents($output);
    if ($have !== $text) {
        fwrite(STDERR, "gen-ffi-header: $output is out of date with $input; run php tools/gen-ffi-header.php and commit it\n");
        exit(1);
    }
    echo "gen-ffi-header: $output is up to date\n";
    exit(0);
}
file_put_contents($output, $text);
echo "gen-ffi-header: wrote $output\n";

function fail(int $n, string $t): never
{
    fwrite(STDERR, sprintf("gen-ffi-header: line %d: unknown preprocessor line `%s`\n", $n + 1, $t));
    exit(1);
}
