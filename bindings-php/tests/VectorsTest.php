<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\Signer;

/** The golden token vectors (tests/vectors/tokens.json) byte for byte, and the code of every invalid one. */
final class VectorsTest extends TestCase
{
    /** @return array<string, array{array<string, mixed>}> */
    public static function vectors(): array
    {
        $doc = json_decode(Support::read('tests/vectors/tokens.json'), true, 512, JSON_THROW_ON_ERROR);
        $out = [];
        foreach ($doc['vectors'] as $v) {
            $out['valid ' . $v['name']] = [$v];
        }
        foreach ($doc['invalid'] as $v) {
            $out['invalid ' . $v['name']] = [$v];
        }
        return $out;
    }

    /**
     * @dataProvider vectors
     * @param array<string, mixed> $v
     */
    public function testVector(array $v): void
    {
        $options = ['now' => $v['now']] + $v['options'];
        if (isset($v['token'])) {
            $signer = Signer::fromPem($v['kid'], Support::read($v['key_file']));
            $this->assertSame($v['token'], $signer->sign($v['uri'], $options));
            return;
        }
        try {
            Signer::fromPem($v['kid'], Support::read($v['key_file']))->sign($v['uri'], $options);
            $this->fail("{$v['name']}: expected {$v['code']}, got a token");
        } catch (QencodeException $e) {
            $this->assertSame($v['code'], $e->errorCode);
        }
    }
}
