<?php

declare(strict_types=1);

namespace Qencode\Cdn\Internal;

use Qencode\Cdn\ApiException;
use Qencode\Cdn\DecodeException;
use Qencode\Cdn\InternalException;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\InvalidKeyException;
use Qencode\Cdn\InvalidSignatureException;
use Qencode\Cdn\MalformedTokenException;
use Qencode\Cdn\NotFoundException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\RateLimitedException;
use Qencode\Cdn\SignerFailedException;
use Qencode\Cdn\TimeoutException;
use Qencode\Cdn\TokenExpiredException;
use Qencode\Cdn\TokenNotYetValidException;
use Qencode\Cdn\TransportException;
use Qencode\Cdn\UnauthorizedException;
use Qencode\Cdn\UnknownKeyIdException;
use Qencode\Cdn\UriMismatchException;

/**
 * @internal The one place that talks to libqencode_cdn through ext/ffi:
 * loading the library, strings in and out, and turning a failed call into
 * the exception for its code. Not part of the public API.
 */
final class Native
{
    /** The FFI scope name used when the library was preloaded (see preload.php). */
    public const SCOPE = 'QENCODE_CDN';

    /** The environment variable that names the library file. */
    public const LIBRARY_ENV = 'QENCODE_CDN_LIBRARY';

    private static ?\FFI $ffi = null;

    /** The loaded library (loaded on first use, once per process). */
    public static function ffi(): \FFI
    {
        return self::$ffi ??= self::load();
    }

    /** The header PHP's FFI parser reads (generated from include/qencode_cdn.h). */
    public static function headerPath(): string
    {
        return dirname(__DIR__, 2) . '/resources/qencode_cdn.h';
    }

    /**
     * The library file: `$QENCODE_CDN_LIBRARY` when set, else the package's
     * own `lib/libqencode_cdn.so` (`.dylib` on macOS, `qencode_cdn.dll` on Windows).
     */
    public static function libraryPath(): string
    {
        $env = getenv(self::LIBRARY_ENV);
        if (is_string($env) && $env !== '') {
            return $env;
        }
        $file = match (PHP_OS_FAMILY) {
            'Darwin' => 'libqencode_cdn.dylib',
            'Windows' => 'qencode_cdn.dll',
            default => 'libqencode_cdn.so',
        };
        return dirname(__DIR__, 2) . '/lib/' . $file;
    }

    private static function load(): \FFI
    {
        if (!extension_loaded('ffi')) {
            throw new InternalException('INTERNAL: qencode/cdn needs the PHP extension ffi (ext-ffi)', 'INTERNAL', 16);
        }
        try {
            $ffi = \FFI::scope(self::SCOPE);
        } catch (\FFI\Exception) {
            $ffi = null;
        }
        $header = file_get_contents(self::headerPath());
        if ($header === false) {
            throw new InternalException('INTERNAL: cannot read ' . self::headerPath(), 'INTERNAL', 16);
        }
        if ($ffi === null) {
            $path = self::libraryPath();
            if (!is_file($path)) {
                throw new InternalException(sprintf(
                    'INTERNAL: the qencode-cdn library is not at %s (set %s to the path of libqencode_cdn, or put it in the package\'s lib/ folder)',
                    $path,
                    self::LIBRARY_ENV,
                ), 'INTERNAL', 16);
            }
            try {
                $ffi = \FFI::cdef($header, $path);
            } catch (\FFI\Exception $e) {
                throw new InternalException(sprintf(
                    'INTERNAL: cannot load %s with FFI: %s (FFI needs ffi.enable=true, or ffi.enable=preload with the package\'s preload.php)',
                    $path,
                    $e->getMessage(),
                ), 'INTERNAL', 16);
            }
        }
        self::checkVersion($ffi, $header);
        return $ffi;
    }

    /** The library must be the release the header was generated from (major.minor). */
    private static function checkVersion(\FFI $ffi, string $header): void
    {
        preg_match('/QCDN_VERSION (\d+)\.(\d+)\.(\d+)/', $header, $want);
        $have = (string) $ffi->qcdn_version();
        $parts = explode('.', $have);
        if (count($want) !== 4 || count($parts) < 2 || $parts[0] !== $want[1] || $parts[1] !== $want[2]) {
            throw new InternalException(sprintf(
                'INTERNAL: libqencode_cdn %s does not match this package (built for %s.%s)',
                $have,
                $want[1] ?? '?',
                $want[2] ?? '?',
            ), 'INTERNAL', 16);
        }
    }

    /** The library's version string. */
    public static function version(): string
    {
        return (string) self::ffi()->qcdn_version();
    }

    /**
     * A string argument for a `const char *` parameter: a C string ends at
     * its first NUL byte, so a string holding one would reach the library
     * cut short; refused instead.
     */
    public static function cstr(string $value, string $name): string
    {
        if (str_contains($value, "\0")) {
            throw new InvalidArgumentException("INVALID_ARGUMENT: `$name` contains a NUL byte", 'INVALID_ARGUMENT', 1);
        }
        return $value;
    }

    /** A fresh `char *` out-parameter (NULL until the library writes it). */
    public static function outString(): \FFI\CData
    {
        return self::ffi()->new('char *');
    }

    /** Copies a library string into PHP and frees it (`qcdn_string_free` wipes it). */
    public static function take(\FFI\CData $out): string
    {
        if (\FFI::isNull($out)) {
            throw new InternalException('INTERNAL: the library returned success without its result', 'INTERNAL', 16);
        }
        try {
            return \FFI::string($out);
        } finally {
            self::ffi()->qcdn_string_free($out);
        }
    }

    /** Decodes a JSON document of the library (objects as arrays). */
    public static function takeJson(\FFI\CData $out): mixed
    {
        $text = self::take($out);
        try {
            return json_decode($text, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new InternalException('INTERNAL: the library returned a document that is not JSON: ' . $e->getMessage(), 'INTERNAL', 16);
        }
    }

    /**
     * Throws the exception for a failed call: `$status` is what the call
     * returned; the details come from `qcdn_last_error_json` (same thread).
     */
    public static function check(int $status): void
    {
        if ($status !== 0) {
            throw self::lastError($status);
        }
    }

    /**
     * The exception for the last failure on this thread; `$previous` is
     * what caused it on the PHP side (an external signer's Throwable).
     */
    public static function lastError(int $status, ?\Throwable $previous = null): QencodeException
    {
        $details = self::lastErrorDetails();
        return $details === null
            ? new InternalException("INTERNAL: call failed with status $status and no error details", 'INTERNAL', 16)
            : self::fromDetails($details, $previous);
    }

    /**
     * The details of the last failure on this thread (`qcdn_last_error_json`),
     * or null when the library has none.
     *
     * @return array<string, mixed>|null
     */
    public static function lastErrorDetails(): ?array
    {
        $out = self::outString();
        if (self::ffi()->qcdn_last_error_json(\FFI::addr($out)) !== 0) {
            return null;
        }
        $details = self::takeJson($out);
        return is_array($details) && isset($details['code']) ? $details : null;
    }

    /**
     * The exception for an error document with the fields of
     * `qcdn_last_error_json` (also the `error` of a batch item).
     *
     * @param array<string, mixed> $d
     */
    public static function fromDetails(array $d, ?\Throwable $previous = null): QencodeException
    {
        return self::exception(
            (string) $d['code'],
            (int) $d['status_code'],
            (string) $d['message'],
            $d['http_status'] ?? null,
            $d['retry_after'] ?? null,
            $d['body'] ?? null,
            $d['request_id'] ?? null,
            (bool) ($d['type_error'] ?? false),
            $previous,
        );
    }

    /**
     * The exception class of each code of DESIGN §5. No default arm: a code
     * the library gains fails the error test (UnhandledMatchError) until it
     * is mapped here. `$previous` is kept by SIGNER_FAILED only (what an
     * external signer's callable threw).
     */
    public static function exception(
        string $code,
        int $statusCode,
        string $message,
        ?int $httpStatus = null,
        int|float|null $retryAfter = null,
        ?string $body = null,
        ?string $requestId = null,
        bool $typeError = false,
        ?\Throwable $previous = null,
    ): QencodeException {
        $text = $code . ': ' . $message;
        return match ($code) {
            'INVALID_ARGUMENT' => $typeError
                ? new InvalidArgumentTypeException($text, $code, $statusCode, $httpStatus)
                : new InvalidArgumentException($text, $code, $statusCode, $httpStatus),
            'INVALID_KEY' => new InvalidKeyException($text, $code, $statusCode, $httpStatus),
            'MALFORMED_TOKEN' => new MalformedTokenException($text, $code, $statusCode, $httpStatus),
            'INVALID_SIGNATURE' => new InvalidSignatureException($text, $code, $statusCode, $httpStatus),
            'TOKEN_EXPIRED' => new TokenExpiredException($text, $code, $statusCode, $httpStatus),
            'TOKEN_NOT_YET_VALID' => new TokenNotYetValidException($text, $code, $statusCode, $httpStatus),
            'URI_MISMATCH' => new UriMismatchException($text, $code, $statusCode, $httpStatus),
            'UNKNOWN_KEY_ID' => new UnknownKeyIdException($text, $code, $statusCode, $httpStatus),
            'UNAUTHORIZED' => new UnauthorizedException($text, $code, $statusCode, $httpStatus, $body, $requestId),
            'NOT_FOUND' => new NotFoundException($text, $code, $statusCode, $httpStatus, $body, $requestId),
            'RATE_LIMITED' => new RateLimitedException($text, $code, $statusCode, $httpStatus, $body, $requestId, $retryAfter),
            'API_ERROR' => new ApiException($text, $code, $statusCode, $httpStatus, $body, $requestId),
            'TRANSPORT' => new TransportException($text, $code, $statusCode, $httpStatus),
            'TIMEOUT' => new TimeoutException($text, $code, $statusCode, $httpStatus),
            'DECODE' => new DecodeException($text, $code, $statusCode, $httpStatus),
            'INTERNAL' => new InternalException($text, $code, $statusCode, $httpStatus),
            'SIGNER_FAILED' => new SignerFailedException($text, $code, $statusCode, $httpStatus, $previous),
        };
    }

    /** An INVALID_ARGUMENT raised by the package itself (argument conversion). */
    public static function invalid(string $message, bool $typeError = false): InvalidArgumentException
    {
        return $typeError
            ? new InvalidArgumentTypeException('INVALID_ARGUMENT: ' . $message, 'INVALID_ARGUMENT', 1)
            : new InvalidArgumentException('INVALID_ARGUMENT: ' . $message, 'INVALID_ARGUMENT', 1);
    }

    /** Copies bytes into a C buffer (for `const uint8_t *` parameters); wipe it with {@see wipe()}. */
    public static function bytes(string $value): \FFI\CData
    {
        $len = strlen($value);
        $buf = self::ffi()->new('uint8_t[' . max($len, 1) . ']');
        if ($len > 0) {
            \FFI::memcpy($buf, $value, $len);
        }
        return $buf;
    }

    /** Overwrites a buffer from {@see bytes()} with zeros (it held key material). */
    public static function wipe(\FFI\CData $buf): void
    {
        \FFI::memset($buf, 0, \FFI::sizeof($buf));
    }
}
