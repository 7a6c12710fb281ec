<?php

declare(strict_types=1);

namespace Qencode\Cdn;

use Qencode\Cdn\Internal\Native;

/** Reading tokens without a key: decoding for display, and the audit. */
final class Token
{
    private function __construct()
    {
    }

    /**
     * A token's header and claims **without verifying anything**: for
     * display and debugging, never for an access decision (use
     * {@see Verifier::verify()}).
     *
     * @return array{header: array<string, mixed>, claims: array<string, mixed>}
     * @throws MalformedTokenException
     */
    public static function decodeUnverified(string $token): array
    {
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_decode_unverified(Native::cstr($token, 'token'), \FFI::addr($out)));
        return Native::takeJson($out);
    }

    /**
     * What a token grants that may be more than meant, in words: codes
     * `PREFIX_COVERS_SIBLINGS`, `WHOLE_BUCKET`, `NEVER_EXPIRES`,
     * `LONG_LIFETIME`, `LEADING_SLASH`, in that order; `[]` when there is
     * nothing to say. `$now` is the audit's clock (default: the system's).
     *
     * @return list<AuditWarning>
     * @throws MalformedTokenException
     */
    public static function audit(string $token, int|\DateTimeInterface|null $now = null): array
    {
        $seconds = $now instanceof \DateTimeInterface ? $now->getTimestamp() : ($now ?? 0);
        $out = Native::outString();
        Native::check(Native::ffi()->qcdn_audit(Native::cstr($token, 'token'), $seconds, \FFI::addr($out)));
        return array_map(AuditWarning::fromArray(...), Native::takeJson($out)['warnings']);
    }
}
