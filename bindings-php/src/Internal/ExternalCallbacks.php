<?php

declare(strict_types=1);

namespace Qencode\Cdn\Internal;

/**
 * @internal The PHP callables of `Signer::external()`, as the C library's
 * `qcdn_sign_callback` sees them. Not part of the public API.
 *
 * Two FFI callbacks per process (per request under FPM) serve every
 * external signer: `sign` and `release`, made once from this class's static
 * methods, so creating signers creates no further FFI closures (PHP keeps
 * each FFI closure until the request ends). Each signer's `user_data` is a
 * small C integer (allocated here, not owned by PHP) holding the id of its
 * callable in `$entries`; the library calls `release` once, when the last
 * signer sharing the callable is freed (the signer and the cached signers
 * made from it), which drops the callable and frees the integer. So the
 * callable lives exactly as long as the native signer.
 *
 * The library calls `sign` only inline, on the PHP thread, inside a call of
 * a `Signer` method: the package creates these signers with `timeout_ms = 0`
 * and signs their batches with one thread. Nothing may be thrown back into
 * C (PHP would end with a fatal error, unwinding through the library): every
 * Throwable is caught, its class and message become the SIGNER_FAILED
 * message, and the Throwable itself is recorded in the innermost frame (one
 * per `Signer` call in progress, see enter()/leave()) so that the exception
 * the call throws can keep it as its `previous`.
 */
final class ExternalCallbacks
{
    /** Why a callable that suspended its Fiber gave no signature. */
    public const SUSPENDED = 'the PHP callable suspended its Fiber instead of returning the signature '
        . '(an async signer is awaited with Signer::prepare() and PreparedToken::finish())';

    /** The longest text of a Throwable carried into an error message (characters). */
    public const MAX_MESSAGE = 500;

    /** @var array<int, array{callable, \FFI\CData}> id => [the callable, its C id slot] */
    private static array $entries = [];

    private static int $nextId = 1;

    private static int $released = 0;

    /** The two FFI callbacks (`sign`, `release`), made on first use. */
    private static ?\FFI\CData $hooks = null;

    /** @var list<list<array{string, ?\Throwable}>> per Signer call in progress: each failure of the callable */
    private static array $frames = [];

    /**
     * Keeps `$sign` and gives the arguments of `qcdn_signer_new_external`
     * for it: `[id, callback, user_data, free_user_data]`. If the signer is
     * not created, pass the id to {@see forget()}.
     *
     * @return array{int, \FFI\CData, \FFI\CData, \FFI\CData}
     */
    public static function register(callable $sign): array
    {
        $ffi = Native::ffi();
        if (self::$hooks === null) {
            $hooks = $ffi->new('struct { qcdn_sign_callback sign; void (*release)(void *); }');
            $hooks->sign = self::sign(...);
            $hooks->release = self::release(...);
            self::$hooks = $hooks;
        }
        $id = self::$nextId++;
        $slot = $ffi->new('int64_t', false); // freed by release() or forget(), not by PHP
        $slot->cdata = $id;
        self::$entries[$id] = [$sign, $slot];
        return [$id, self::$hooks->sign, \FFI::addr($slot), self::$hooks->release];
    }

    /** Drops a callable whose signer was not created (the library keeps no reference then). */
    public static function forget(int $id): void
    {
        if (isset(self::$entries[$id])) {
            $slot = self::$entries[$id][1];
            unset(self::$entries[$id]);
            \FFI::free($slot);
        }
    }

    /** How many callables are kept now (one per live external signer family). */
    public static function live(): int
    {
        return count(self::$entries);
    }

    /** How many callables the library has released so far (tests: each exactly once). */
    public static function released(): int
    {
        return self::$released;
    }

    /** A Signer call that may run callables begins: failures are recorded for it. */
    public static function enter(): void
    {
        self::$frames[] = [];
    }

    /**
     * The call ends: the failures of the callables during it, in order,
     * each as [the message given to the library, the Throwable or null].
     *
     * @return list<array{string, ?\Throwable}>
     */
    public static function leave(): array
    {
        return array_pop(self::$frames) ?? [];
    }

    /**
     * The Throwable behind a SIGNER_FAILED error: the first recorded failure
     * (from `$from` on) whose message the error carries. `$from` moves past
     * it, so the items of a batch, signed in order on this thread, each find
     * their own.
     *
     * @param list<array{string, ?\Throwable}> $failures
     * @param array<string, mixed> $details the error (`qcdn_last_error_json` fields)
     */
    public static function cause(array $failures, array $details, int &$from = 0): ?\Throwable
    {
        if (($details['code'] ?? null) !== 'SIGNER_FAILED') {
            return null;
        }
        $message = (string) ($details['message'] ?? '');
        for ($i = $from, $n = count($failures); $i < $n; $i++) {
            if (str_contains($message, $failures[$i][0])) {
                $from = $i + 1;
                return $failures[$i][1];
            }
        }
        return null;
    }

    /**
     * `qcdn_sign_callback`: the callable's signature of the input, or a
     * failure with a message. Parameters are untyped: a TypeError here
     * would be thrown into C.
     */
    private static function sign(mixed $userData, mixed $input, mixed $inputLen, mixed $sig, mixed $sigCap, mixed $sigLen, mixed $error, mixed $errorCap): int
    {
        try {
            $entry = self::$entries[self::id($userData)] ?? null;
            if ($entry === null) {
                return self::fail($error, $errorCap, "the signer's PHP callable was already released", null);
            }
            $data = $inputLen > 0 ? \FFI::string($input, $inputLen) : '';
            try {
                $signature = self::run($entry[0], $data);
            } catch (\Throwable $e) {
                self::scrub($e);
                return self::fail($error, $errorCap, self::describe($e), $e);
            }
            if ($signature instanceof \Fiber) {
                unset($signature); // the suspended Fiber is destroyed here, not inside the library
                return self::fail($error, $errorCap, self::SUSPENDED, null);
            }
            if (!is_string($signature)) {
                $what = sprintf('the PHP callable returned %s, not a string of signature bytes', get_debug_type($signature));
                return self::fail($error, $errorCap, $what, null);
            }
            $length = strlen($signature);
            // Never beyond the buffer; a longer answer is reported as it is, and the library refuses it.
            if ($length > 0 && $sigCap > 0) {
                \FFI::memcpy($sig, $signature, min($length, $sigCap));
            }
            $sigLen[0] = $length;
            return 0;
        } catch (\Throwable $e) {
            try {
                return self::fail($error, $errorCap, 'the PHP signer could not run: ' . self::describe($e), $e);
            } catch (\Throwable) {
                return 1;
            }
        }
    }

    /**
     * Calls the callable. Inside a Fiber it runs in a Fiber of its own, so
     * that a `Fiber::suspend()` in it (an async client waiting for I/O)
     * suspends only that Fiber, which is returned, never the caller's with
     * the library's frames on its stack (a caller's Fiber destroyed while
     * suspended there would throw through the library: a fatal error).
     * Outside a Fiber, suspending is a FiberError, caught as any Throwable.
     * (`$sign` is sensitive: the trace of what it throws would show what it
     * captured, such as a key, in this frame's arguments.)
     */
    private static function run(#[\SensitiveParameter] callable $sign, string $data): mixed
    {
        if (\Fiber::getCurrent() === null) {
            return $sign($data);
        }
        $fiber = new \Fiber($sign);
        $fiber->start($data);
        return $fiber->isTerminated() ? $fiber->getReturn() : $fiber;
    }

    /** `free_user_data`: the last signer sharing the callable was freed. */
    private static function release(mixed $userData): void
    {
        try {
            $id = self::id($userData);
            if (isset(self::$entries[$id])) {
                $slot = self::$entries[$id][1];
                self::$released++;
                unset(self::$entries[$id]); // may run the callable's destructor
                \FFI::free($slot);
            }
        } catch (\Throwable) {
            // nothing may be thrown into C; a destructor's exception is dropped
        }
    }

    /**
     * Drops the arguments of the FFI and package frames from the trace of a
     * Throwable of the callable (and of its previous ones), which becomes the
     * `previous` of a SignerFailedException: those arguments are C pointers
     * of the signing call (the library's buffers, out-parameters) that are
     * freed once it returns, so a later `var_dump`/`print_r` of the
     * exception would read freed memory. The callable's own frames keep
     * theirs.
     */
    private static function scrub(\Throwable $e): void
    {
        for ($t = $e, $depth = 0; $t !== null && $depth < 32; $t = $t->getPrevious(), $depth++) {
            $property = new \ReflectionProperty($t instanceof \Exception ? \Exception::class : \Error::class, 'trace');
            $trace = $property->getValue($t);
            $changed = false;
            foreach ($trace as $i => $frame) {
                $owner = $frame['class'] ?? '';
                if (isset($frame['args']) && ($owner === 'FFI' || str_starts_with($owner, 'Qencode\\Cdn\\'))) {
                    unset($trace[$i]['args']);
                    $changed = true;
                }
            }
            if ($changed) {
                $property->setValue($t, $trace);
            }
        }
    }

    private static function id(mixed $userData): int
    {
        return Native::ffi()->cast('int64_t *', $userData)[0];
    }

    /** "Class: message", cut to MAX_MESSAGE characters. */
    private static function describe(\Throwable $e): string
    {
        $text = self::utf8(get_class($e) . ': ' . $e->getMessage());
        preg_match('/^.{0,' . self::MAX_MESSAGE . '}/su', $text, $m);
        return strlen($m[0]) < strlen($text) ? $m[0] . '…' : $text;
    }

    /** Valid UTF-8 without NUL bytes (the library reads the message as UTF-8 text, up to its first NUL). */
    private static function utf8(string $text): string
    {
        $text = str_replace("\0", '', $text);
        return preg_match('//u', $text) === 1 ? $text : (string) preg_replace('/[\x80-\xFF]/', '?', $text);
    }

    /**
     * Writes the message for the library (NUL-terminated, cut to fit
     * `$errorCap` at a character boundary) and records the failure with the
     * text the library will carry (it trims the message).
     */
    private static function fail(mixed $error, mixed $errorCap, string $message, ?\Throwable $cause): int
    {
        $message = self::utf8($message);
        $room = is_int($errorCap) ? $errorCap - 1 : 0;
        if (strlen($message) > $room) {
            $message = substr($message, 0, max($room, 0));
            while ($message !== '' && preg_match('//u', $message) !== 1) {
                $message = substr($message, 0, -1);
            }
        }
        if (self::$frames !== []) {
            self::$frames[count(self::$frames) - 1][] = [trim($message), $cause];
        }
        if ($error instanceof \FFI\CData && $room >= 0) {
            $n = strlen($message);
            if ($n > 0) {
                \FFI::memcpy($error, $message, $n);
            }
            $error[$n] = "\0";
        }
        return 1;
    }
}
