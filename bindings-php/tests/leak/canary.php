<?php

// The leak canary of tests/suites/62-php.sh: signs once and never frees the
// library's token string. valgrind must report it (definitely lost), or the
// leak check of sign_loop.php would prove nothing.
require getenv('QCDN_AUTOLOAD');

use Qencode\Cdn\Internal\Native;
use Qencode\Cdn\Signer;

$signer = Signer::fromPem('key-1', file_get_contents(getenv('QCDN_ROOT') . '/tests/keys/rsa2048.pkcs1.pem'));
$out = Native::outString();
Native::check(Native::ffi()->qcdn_signer_sign_json($signer->handle(), 'leaked', null, FFI::addr($out)));
echo "canary: leaked a token of ", strlen(FFI::string($out)), " bytes\n";
