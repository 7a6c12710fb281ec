<?php

// Run by tests/suites/62-php.sh under valgrind (USE_ZEND_ALLOC=0, so PHP's
// own allocations go through malloc too): many sign calls and every kind of
// handle created and destroyed through the binding, the error path included
// (library strings freed on failure too). Usage: php sign_loop.php N
require getenv('QCDN_AUTOLOAD');

use Qencode\Cdn\Client;
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
unset($signer, $verifier);
echo "sign_loop: $n iterations, $errors expected errors\n";
