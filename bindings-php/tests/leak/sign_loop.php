<?php

// Run by tests/suites/62-php.sh under valgrind (USE_ZEND_ALLOC=0, so PHP's
// own allocations go through malloc too): many sign calls and every kind of
// handle created and destroyed through the binding, the error path included
// (library strings freed on failure too), and the paths of external signers
// (a PHP callable signing with openssl_sign through the FFI callback, its
// failures, its release with the last signer), batches, cached signers, key
// sets and prepare/finish. Usage: php sign_loop.php N
require getenv('QCDN_AUTOLOAD');

use Qencode\Cdn\Client;
use Qencode\Cdn\Internal\ExternalCallbacks;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Token;
use Qencode\Cdn\Urls;
use Qencode\Cdn\Verifier;

$n = (int) ($argv[1] ?? 100);
$root = getenv('QCDN_ROOT');
$pem = file_get_contents("$root/tests/keys/rsa2048.pkcs1.pem");
$signer = Signer::fromPem('key-1', $pem);
$verifier = Verifier::fromSigner($signer);
$private = openssl_pkey_get_private($pem);
$public = $signer->publicKeyPem();
$kms = static function (string $input) use ($private): string {
    openssl_sign($input, $signature, $private, OPENSSL_ALGO_SHA256);
    return $signature;
};
$external = Signer::external('key-1', $public, $kms);
$cachedExternal = $external->cached(60);
$keySet = Verifier::fromKeys(['key-1' => $public, 'key-2' => file_get_contents("$root/tests/keys/rsa2048.spki.der")]);
$errors = 0;
for ($i = 0; $i < $n; $i++) {
    $token = $signer->sign("videos/$i/", ['now' => 1700000000, 'expires_in' => 600, 'claims' => ['i' => $i]]);
    $url = $signer->signedStorageUrl('my-bucket', 'us-west', "videos/$i/a.mp4");
    $verifier->verify($token, ['now' => 1700000001]);
    $verifier->explain($url);
    Token::decodeUnverified($token);
    Urls::livePlaybackUrl("p$i", $token);
    $signer->signedCookieFields("videos/$i/");
    try {
        $signer->sign('x', ['expires_in' => null]);
    } catch (QencodeException) {
        $errors++;
    }
    try {
        $verifier->verify($token, ['now' => 1800000000]);
    } catch (QencodeException) {
        $errors++;
    }
    if ($i % 3 === 0) { // (every third iteration: valgrind is slow, a leak shows in one)
        // external signers: a token through the callback, a cache hit, each kind of failure
        $external->signedLiveUrl("p$i", ['now' => 1700000000]);
        $cachedExternal->sign('videos/cached/');
        $cachedExternal->sign("videos/$i/");
        foreach ([static fn () => throw new RuntimeException("KMS down $i"), static fn () => 'short', static fn () => null] as $broken) {
            try {
                Signer::external('key-1', $public, $broken)->sign('x');
            } catch (QencodeException) {
                $errors++;
            }
        }
        // batches (per-item errors, an external signer's on this thread) and the cache
        foreach ($signer->signMany(["v/$i/a", ["v/$i/b", ['expires_in' => 600]], '/bad'], 2) as $r) {
            $errors += $r->ok ? 0 : 1;
        }
        foreach ($external->signMany(["v/$i/c", '/bad']) as $r) {
            $errors += $r->ok ? 0 : 1;
        }
        $cache = $signer->cached(300, 16);
        $cache->sign('videos/a/');
        $cache->sign('videos/a/');
        $cache->cachedTokens();
        // key sets, prepare/finish
        $keySet->verify($token, ['now' => 1700000001]);
        Verifier::fromJwks($keySet->jwks());
        $prepared = $signer->prepare("videos/$i/", ['now' => 1700000000]);
        $prepared->finish($kms($prepared->signingInput));
        try {
            $prepared->finish('garbage');
        } catch (QencodeException) {
            $errors++;
        }
        unset($cache, $prepared);
    }
    if ($i % 10 === 0) {
        $s = Signer::fromPem("key-$i", $pem);
        $v = Verifier::fromPublicKey($s->publicKeyPem());
        $c = new Client('api-key', ['api_url' => 'http://127.0.0.1:9', 'timeout' => 1]);
        unset($s, $v, $c);
        try {
            Signer::fromPem('k', 'not a key');
        } catch (QencodeException) {
            $errors++;
        }
    }
}
unset($signer, $verifier, $external, $cachedExternal, $keySet);
if (ExternalCallbacks::live() !== 0) {
    fwrite(STDERR, 'sign_loop: ' . ExternalCallbacks::live() . " PHP callables not released\n");
    exit(1);
}
echo "sign_loop: $n iterations, $errors expected errors, " . ExternalCallbacks::released() . " callables released\n";
