<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\InvalidArgumentTypeException;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Stream;
use Qencode\Cdn\Testing\Emulator;
use Qencode\Cdn\TransportException;

/**
 * Stream::coverage (manifest text in, no HTTP) and Stream::check against the
 * emulator process's live stream and storage folder with real media: the
 * core decides every verdict, the package converts.
 */
final class StreamTest extends TestCase
{
    private const MASTER = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=165000\nmedia_0.m3u8\n"
        . "#EXT-X-STREAM-INF:BANDWIDTH=66000\nmedia_1.m3u8\n";
    private const STORAGE = 'https://my-bucket.media-storage.us-west.qencode.com/videos/intro/';

    private static function localSigner(): Signer
    {
        return Signer::fromFile('key-1', Support::path('tests/keys/rsa2048.pkcs1.pem'));
    }

    /**
     * The emulator with a live stream and a storage folder with media, and a
     * signer of each (the one emulator of the run, reset first).
     *
     * @return array{Emulator, Signer, Signer}
     */
    private static function media(): array
    {
        $emu = Support::emulator();
        $emu->reset();
        $emu->addMediaStream('stream-php', 'pid-php');
        $emu->addMediaFolder('demo-bucket', 'videos/intro/');
        $client = $emu->client();
        // The custom domain of the storage folder, as a user adds it.
        $client->createDomain('media.example.com', 'storage');
        $emu->mapStorageDomain('media.example.com', 'demo-bucket');
        $client->setBucketPolicy('demo-bucket', 'authenticated');
        $stream = $client->createSigningKey(stream: 'stream-php');
        $bucket = $client->createSigningKey(bucket: 'demo-bucket');
        return [
            $emu,
            Signer::fromPem($stream['id'], $stream['private_key']),
            Signer::fromPem($bucket['id'], $bucket['private_key']),
        ];
    }

    /** The emulator's plain port: the same URL over http. */
    private static function plainHttp(string $url): string
    {
        return preg_replace('#^https://#', 'http://', $url);
    }

    public function testCoverageOfAMasterPlaylistWithTheTokenInItsQuery(): void
    {
        $token = self::localSigner()->sign('videos/intro/');
        $report = Stream::coverage(self::STORAGE . "master.m3u8?auth=$token", self::MASTER);
        $this->assertFalse($report['ok']);
        $this->assertFalse($report['fetched']);
        $this->assertSame('hls_master', $report['format']);
        $this->assertSame(['query_token_not_propagated'], $report['findings']);
        $this->assertSame(
            [['master_playlist', true, null], ['media_playlist', false, null], ['media_playlist', false, null]],
            array_map(fn (array $r): array => [$r['kind'], $r['covered'], $r['status']], $report['requests']),
        );
        $this->assertSame(self::STORAGE . 'media_0.m3u8', $report['requests'][1]['url']);
        $this->assertArrayHasKey('query_token_not_propagated', $report['advice']);
    }

    public function testCoverageWithTheFolderCookie(): void
    {
        $cookie = self::localSigner()->signedCookie('videos/intro/', ['domain' => 'example.com']);
        $report = Stream::coverage('https://media.example.com/videos/intro/master.m3u8', self::MASTER, ['cookie' => $cookie]);
        $this->assertTrue($report['ok'], implode(',', $report['findings']));
        foreach ($report['requests'] as $r) {
            $this->assertSame(['cookie', true], [$r['carrier'], $r['covered']]);
        }
    }

    public function testCoverageOptionsAreTheCores(): void
    {
        $url = self::STORAGE . 'master.m3u8';
        $now = new \DateTimeImmutable('@1700000000');
        $this->assertSame('storage', Stream::coverage($url, self::MASTER, ['segments' => 2, 'stream' => 'storage', 'now' => $now])['stream']);
        foreach ([[['segments' => 0], 'segments'], [['stream' => 'vod'], 'stream'], [['segment' => 2], 'segment']] as [$options, $word]) {
            try {
                Stream::coverage($url, self::MASTER, $options);
                $this->fail('no exception for ' . json_encode($options));
            } catch (InvalidArgumentException $e) {
                $this->assertSame('INVALID_ARGUMENT', $e->errorCode);
                $this->assertStringContainsString($word, $e->getMessage());
            }
        }
        try {
            Stream::coverage($url, self::MASTER, ['segments' => '2']);
            $this->fail('a string for segments was taken');
        } catch (InvalidArgumentTypeException $e) {
            $this->assertSame('INVALID_ARGUMENT', $e->errorCode);
        }
        $this->expectException(InvalidArgumentException::class);
        Stream::coverage($url, '<html></html>');
    }

    public function testCheckOfALiveStreamWithTheQueryTokenAndAnotherStreamsToken(): void
    {
        [$emu, $streamSigner] = self::media();
        $url = self::plainHttp($streamSigner->signedLiveUrl('pid-php'));
        $connect = '127.0.0.1:' . $emu->port();

        $plain = Stream::check($url, ['connect_to' => $connect, 'segments' => 1, 'timeout' => 10]);
        $this->assertFalse($plain['ok']);
        $this->assertTrue($plain['fetched']);
        $this->assertSame(['query_token_not_propagated'], $plain['findings']);
        $statuses = array_column($plain['requests'], 'status');
        $this->assertSame(200, $statuses[0]);
        $this->assertSame([403], array_values(array_unique(array_slice($statuses, 1))));

        // The request modifier of docs/streaming.md: every request carries the token.
        $fixed = Stream::check($url, ['connect_to' => $connect, 'segments' => 1, 'propagate_token' => true]);
        $this->assertTrue($fixed['ok'], implode(',', $fixed['findings']));
        $this->assertSame([200], array_values(array_unique(array_column($fixed['requests'], 'status'))));
        $this->assertCount(2, array_filter($fixed['requests'], fn (array $r): bool => $r['kind'] === 'media_segment'));

        $wrong = $streamSigner->signUrl($url, 'another-playback-id');
        $report = Stream::check($wrong, ['connect_to' => $connect, 'segments' => 1, 'propagate_token' => true]);
        $this->assertFalse($report['ok']);
        $this->assertSame(['token_wrong_stream'], $report['findings']);
        $this->assertSame(403, $report['requests'][0]['status']);
    }

    public function testCheckOfAStorageFolderWithTheSignedCookie(): void
    {
        [$emu, , $bucketSigner] = self::media();
        $connect = '127.0.0.1:' . $emu->port();
        foreach (['master.m3u8', 'manifest.mpd'] as $manifest) {
            $url = "http://media.example.com/videos/intro/$manifest";
            $cookie = $bucketSigner->signedCookie('videos/intro/', ['domain' => 'example.com', 'secure' => false]);
            $ok = Stream::check($url, ['cookie' => $cookie, 'connect_to' => $connect, 'segments' => 1]);
            $this->assertTrue($ok['ok'], implode(',', $ok['findings']));
            $this->assertSame([200], array_values(array_unique(array_column($ok['requests'], 'status'))));
            $this->assertSame(['cookie'], array_values(array_unique(array_column($ok['requests'], 'carrier'))));

            // A cookie for the one manifest file (its own path): the other requests go without it.
            $single = $bucketSigner->signedCookie(
                "videos/intro/$manifest",
                ['domain' => 'example.com', 'secure' => false, 'path' => "/videos/intro/$manifest"],
            );
            $bad = Stream::check($url, ['cookie' => $single, 'connect_to' => $connect, 'segments' => 1]);
            $this->assertFalse($bad['ok']);
            $this->assertSame(['cookie_single_file'], $bad['findings']);
            $statuses = array_column($bad['requests'], 'status');
            $this->assertSame(200, $statuses[0]);
            $this->assertSame([403], array_values(array_unique(array_slice($statuses, 1))));
        }
    }

    public function testCheckErrors(): void
    {
        $url = 'http://play-pid-php.qencode.com/pid-php.m3u8';
        try {
            Stream::check($url, ['connect_to' => '127.0.0.1:1', 'timeout' => 5]);
            $this->fail('no transport error');
        } catch (TransportException $e) {
            $this->assertSame('TRANSPORT', $e->errorCode);
        }
        try {
            Stream::check($url, ['timeout' => 0]);
            $this->fail('a zero timeout was taken');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('timeout', $e->getMessage());
        }
        try {
            Stream::check($url, ['connect' => 'x']);
            $this->fail('an unknown option was taken');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('connect', $e->getMessage());
        }
        $this->expectException(InvalidArgumentException::class);
        Stream::check('not a url');
    }
}
