<?php

// The leak canaries of tests/suites/62-php.sh. valgrind must report each
// (definitely lost), or the leak check of sign_loop.php would prove nothing:
// - `php canary.php`: signs once and never frees the library's token string;
// - `php canary.php external`: an external signer (a PHP callable, through
//   the FFI callback) whose native handle is never freed, so the library
//   never releases the callable: the path of sign_loop.php's external signers.
require getenv('QCDN_AUTOLOAD');

use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Signer;

$pem = file_get_contents(getenv('QCDN_ROOT') . '/tests/keys/rsa2048.pkcs1.pem');
if (($argv[1] ?? '') === 'external') {
    $private = openssl_pkey_get_private($pem);
    $signer = Signer::external('key-1', Signer::fromPem('key-1', $pem)->publicKeyPem(), static function (string $input) use ($private): string {
        openssl_sign($input, $signature, $private, OPENSSL_ALGO_SHA256);
        return $signature;
    });
    $token = $signer->sign('leaked');
    // Forget the handle without qcdn_signer_free: __destruct then has nothing to free.
    (function () {
        unset($this->handle);
    })->call($signer);
    echo "canary: leaked an external signer after a token of ", strlen($token), " bytes\n";
    exit;
}
$signer = Signer::fromPem('key-1', $pem);
$out = Native::outString();
Native::check(Native::ffi()->qcdn_signer_sign_json($signer->handle(), 'leaked', null, FFI::addr($out)));
echo "canary: leaked a token of ", strlen(FFI::string($out)), " bytes\n";
