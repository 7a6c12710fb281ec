<?php

declare(strict_types=1);

/*
 * Per-signature time of qencode/cdn's Signer::sign at the key's size, measured
 * as bindings-c/examples/core_rate.rs measures the Rust core (same kid, uri,
 * pinned clock, ROUNDS batches of BATCH; the best batch counts), and of PHP's
 * own OpenSSL making the same RS256 JWT: openssl_sign with the key parsed
 * once (openssl_pkey_get_private), and with the PEM string on every call (the
 * reference sample's way, through firebase/php-jwt). Prints one line:
 *   php_ns_min=… php_ns_median=… openssl_ns_min=… openssl_pem_ns_min=… url_ns_min=… same_token=1
 * (url_ns_min: a trivial call, Urls::livePlaybackUrl, to compare with the
 * core's url_ns_min: what the FFI boundary adds to every call)
 * Usage: php bench_sign.php KEY.pem ROUNDS BATCH   (run by bench/php/run.sh)
 */

require getenv('QCDN_AUTOLOAD') ?: __DIR__ . '/../../bindings-php/vendor/autoload.php';

use Qencode\Cdn\Signer;
use Qencode\Cdn\Urls;

[, $keyFile, $rounds, $batch] = $argv + [null, null, '5', '100'];
$rounds = (int) $rounds;
$batch = (int) $batch;
$pem = (string) file_get_contents((string) $keyFile);
$kid = 'ec25a6a6-b31e-4ac9-af01-711460421c6b';
$uri = '1f1ab6a3-d867-4787-b882-7f2fb1203634';
$now = 1700000000;

$signer = Signer::fromPem($kid, $pem);
$options = ['now' => $now];

function b64url(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

/** The same JWT with PHP's OpenSSL: header and claims as the core writes them, RS256. */
function opensslJwt(string $kid, string $uri, int $now, OpenSSLAsymmetricKey|string $key): string
{
    $input = b64url(json_encode(['alg' => 'RS256', 'typ' => 'JWT', 'kid' => $kid], JSON_UNESCAPED_SLASHES))
        . '.' . b64url(json_encode(['uri' => $uri, 'exp' => $now + 3600], JSON_UNESCAPED_SLASHES));
    openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256);
    return $input . '.' . b64url($signature);
}

$key = openssl_pkey_get_private($pem);
$same = $signer->sign($uri, $options) === opensslJwt($kid, $uri, $now, $key) ? 1 : 0;

/** Best and median ns per call over $rounds batches of $batch calls. */
function measure(callable $fn, int $rounds, int $batch): array
{
    for ($i = 0; $i < min($batch, 20); $i++) {
        $fn();
    }
    $times = [];
    for ($r = 0; $r < $rounds; $r++) {
        $t = hrtime(true);
        for ($i = 0; $i < $batch; $i++) {
            $fn();
        }
        $times[] = (hrtime(true) - $t) / $batch;
    }
    sort($times);
    return [$times[0], $times[intdiv(count($times), 2)]];
}

[$phpMin, $phpMedian] = measure(static fn () => $signer->sign($uri, $options), $rounds, $batch);
[$osslMin] = measure(static fn () => opensslJwt($kid, $uri, $now, $key), $rounds, $batch);
[$pemMin] = measure(static fn () => opensslJwt($kid, $uri, $now, $pem), max(1, intdiv($rounds, 2)), max(1, intdiv($batch, 2)));
[$urlMin] = measure(static fn () => Urls::livePlaybackUrl('abc123'), 5, 20000);
printf(
    "php_ns_min=%.0f php_ns_median=%.0f openssl_ns_min=%.0f openssl_pem_ns_min=%.0f url_ns_min=%.1f same_token=%d\n",
    $phpMin,
    $phpMedian,
    $osslMin,
    $pemMin,
    $urlMin,
    $same,
);
