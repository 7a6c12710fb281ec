<?php

declare(strict_types=1);

namespace Qencode\Cdn\Internal;

/**
 * @internal Option arrays to the JSON text the core reads
 * (`SignOptions::from_json`, `VerifyOptions::from_json`, the cookie and
 * client options). The core decides every rule: unknown keys, wrong types
 * (`"600"`), `null` lifetimes, zero, fractions, milliseconds. This class only
 * converts PHP values that JSON has no form for: a `DateTimeInterface`
 * becomes Unix seconds, a `DateInterval` seconds, and an empty PHP array
 * given where the core wants an object (`claims`, `resource`) becomes `{}`.
 */
final class Options
{
    /** Members whose value is a JSON object: an empty PHP array there means `{}`. */
    private const OBJECT_MEMBERS = ['claims', 'resource'];

    /**
     * JSON text for `$options`, or null for an empty array (the library reads
     * NULL as `{}`). A list (`[600]`) is encoded as a JSON array, which the
     * core refuses: options are named.
     *
     * @param array<mixed> $options
     */
    public static function json(array $options): ?string
    {
        return $options === [] ? null : self::encode(self::convert($options));
    }

    /**
     * `$options` with the PHP values JSON has no form for converted (see the
     * class), ready to be embedded in a larger document (batch items): an
     * empty array is `{}`, a list stays a list (which the core refuses).
     *
     * @param array<mixed> $options
     * @return array<mixed>|\stdClass
     */
    public static function convert(array $options): array|\stdClass
    {
        if ($options === []) {
            return new \stdClass();
        }
        $converted = [];
        foreach ($options as $key => $value) {
            $converted[$key] = self::value($value, (string) $key);
        }
        return array_is_list($options) ? array_values($converted) : $converted;
    }

    /** JSON text of any value (arguments like CORS headers), with the same conversions. */
    public static function encode(mixed $value): string
    {
        try {
            return json_encode(
                $value,
                JSON_THROW_ON_ERROR | JSON_PRESERVE_ZERO_FRACTION | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE,
            );
        } catch (\JsonException $e) {
            throw Native::invalid('the options cannot be written as JSON: ' . $e->getMessage());
        }
    }

    private static function value(mixed $value, string $key): mixed
    {
        if ($value instanceof \DateTimeInterface) {
            return $value->getTimestamp();
        }
        if ($value instanceof \DateInterval) {
            return self::seconds($value, $key);
        }
        if ($value === [] && in_array($key, self::OBJECT_MEMBERS, true)) {
            return new \stdClass();
        }
        return $value;
    }

    /**
     * A `DateInterval` as seconds (an int, or a float when it has
     * microseconds, which the core refuses where seconds are whole).
     * Months and years have no fixed length and are refused.
     */
    public static function seconds(\DateInterval $interval, string $key): int|float
    {
        if ($interval->days !== false) {
            $days = $interval->days;
        } elseif ($interval->y !== 0 || $interval->m !== 0) {
            throw Native::invalid("`$key`: a DateInterval with months or years has no fixed length in seconds; give days");
        } else {
            $days = $interval->d;
        }
        $seconds = (($days * 24 + $interval->h) * 60 + $interval->i) * 60 + $interval->s;
        $total = $interval->f != 0 ? $seconds + $interval->f : $seconds;
        return $interval->invert === 1 ? -$total : $total;
    }
}
