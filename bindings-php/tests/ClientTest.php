<?php

declare(strict_types=1);

namespace Qencode\Cdn\Tests;

use PHPUnit\Framework\TestCase;
use Qencode\Cdn\ApiException;
use Qencode\Cdn\Client;
use Qencode\Cdn\DecodeException;
use Qencode\Cdn\InvalidArgumentException;
use Qencode\Cdn\NotFoundException;
use Qencode\Cdn\QencodeException;
use Qencode\Cdn\RateLimitedException;
use Qencode\Cdn\SecretString;
use Qencode\Cdn\Signer;
use Qencode\Cdn\Testing\Emulator;
use Qencode\Cdn\TimeoutException;
use Qencode\Cdn\TransportException;
use Qencode\Cdn\UnauthorizedException;
use Qencode\Cdn\Urls;

/** Every client method and error code against the emulator process. */
final class ClientTest extends TestCase
{
    private Emulator $emu;
    private Client $client;

    protected function setUp(): void
    {
        $this->emu = Support::emulator();
        $this->emu->reset();
        $this->client = $this->emu->client();
    }

    public function testDomainsAndTls(): void
    {
        $c = $this->client;
        $live = $c->createDomain('live.example.com', 'live');
        $this->assertSame(['live.example.com', 'live'], [$live['domain_name'], $live['type']]);
        $storage = $c->createDomain('cdn.example.com', 'STORAGE');
        $this->assertSame('storage', $storage['type']);
        $this->assertSame($live, $c->getDomain($live['id']));
        $this->assertSame([$live, $storage], $c->listDomains());
        $this->assertSame([$storage], $c->listDomains('storage'));
        $this->assertSame([$live], $c->listDomains('live'));

        $tls = $c->createTlsSubscription($live['id']);
        $this->assertSame($live['id'], $tls['domain_id']);
        $this->assertArrayHasKey('status', $tls);
        $this->assertSame($tls['id'], $c->getTlsSubscription($tls['id'])['id']);
        $this->assertSame([$tls['id']], array_column($c->listTlsSubscriptions(), 'id'));
        $this->assertSame(['status' => 'ok'], $c->deleteTlsSubscription($tls['id']));
        $this->assertSame([], $c->listTlsSubscriptions());

        $this->assertSame(['status' => 'ok'], $c->deleteDomain($storage['id']));
        $this->assertSame([$live], $c->listDomains());
        $this->expectException(NotFoundException::class);
        $c->getDomain($storage['id']);
    }

    public function testSigningKeysSignWhatTheEdgeServes(): void
    {
        $c = $this->client;
        $this->emu->addObject('my-bucket', 'videos/a.mp4', 'MP4 bytes');
        $c->setBucketPolicy('my-bucket', 'authenticated');
        $key = $c->createSigningKey(bucket: 'my-bucket');
        $this->assertSame('my-bucket', $key['bucket_name']);
        $this->assertInstanceOf(SecretString::class, $key['private_key']);
        $this->assertStringContainsString('PRIVATE KEY', $key['private_key']->reveal());

        $signer = Signer::fromPem($key['id'], $key['private_key']);
        $url = $signer->signedStorageUrl('my-bucket', 'us-west', 'videos/a.mp4', ['expires_in' => 300]);
        $this->assertSame(['status' => 200, 'reason' => null, 'body' => 'MP4 bytes'], $this->emu->fetch($url));
        $refused = $this->emu->fetch(Urls::storageUrl('my-bucket', 'us-west', 'videos/a.mp4'));
        $this->assertSame(403, $refused['status']);
        $this->assertStringStartsWith('MISSING_TOKEN', (string) $refused['reason']);
        $cookie = $signer->signedCookie('videos/', ['expires_in' => 300]);
        $this->assertSame(200, $this->emu->fetch(Urls::storageUrl('my-bucket', 'us-west', 'videos/a.mp4'), explode(';', $cookie)[0])['status']);

        $listed = $c->getSigningKey($key['id']);
        $this->assertArrayNotHasKey('private_key', $listed);
        $this->assertSame([$key['id']], array_column($c->listSigningKeys(), 'id'));
        $this->assertSame('main', $c->renameSigningKey($key['id'], 'main')['name']);
        $this->assertSame(['status' => 'ok'], $c->deleteSigningKey($key['id']));
        $this->assertSame(403, $this->emu->fetch($url)['status']);

        $this->emu->addStream('stream-1', 'play-1');
        $this->assertSame('stream-1', $c->createSigningKey(stream: 'stream-1')['stream_id']);
        $domain = $c->createDomain('live.example.com', 'live');
        $this->assertSame($domain['id'], $c->createSigningKey(domain: $domain['id'])['domain_id']);
        try {
            $c->createSigningKey(stream: 'a', bucket: 'b');
            $this->fail('two targets accepted');
        } catch (InvalidArgumentException $e) {
            $this->assertStringContainsString('exactly one', $e->getMessage());
        }
        $this->expectException(InvalidArgumentException::class);
        $c->createSigningKey();
    }

    public function testBuckets(): void
    {
        $c = $this->client;
        $this->assertSame(['status' => 'ok'], $c->setBucketPolicy('my-bucket', 'public'));
        $this->assertSame(['status' => 'ok'], $c->setBucketCors('my-bucket', ['Access-Control-Allow-Origin' => '*', 'Access-Control-Max-Age' => '600']));
        $this->assertEquals(['Access-Control-Allow-Origin' => '*', 'Access-Control-Max-Age' => '600'], $c->getBucketCors('my-bucket'));
        $this->assertSame(['status' => 'ok'], $c->deleteBucketCorsHeader('my-bucket', 'Access-Control-Max-Age'));
        $this->assertSame(['Access-Control-Allow-Origin' => '*'], $c->getBucketCors('my-bucket'));
        $this->assertSame(['status' => 'ok'], $c->deleteBucketCors('my-bucket'));
        $this->assertSame([], $c->getBucketCors('my-bucket'));
        $this->assertSame(['status' => 'ok'], $c->purgeBucketCache('my-bucket'));
        $this->assertSame(['status' => 'ok'], $c->purgeObjectCache('my-bucket', 'videos/a.mp4'));
        $counters = $this->emu->counters();
        $this->assertSame(1, $counters['requests']['POST /v1/buckets/*/cache/purge_all']);
        $this->assertSame(1, $counters['requests']['POST /v1/buckets/*/cache/purge']);
        $this->expectException(InvalidArgumentException::class);
        $c->setBucketPolicy('my-bucket', 'private');
    }

    /** @return array<string, array{string, array<string, int>, array<string, mixed>, class-string<QencodeException>, string, ?int}> */
    public static function faults(): array
    {
        return [
            'UNAUTHORIZED' => ['POST /v1/access_token/*', ['status' => 401], [], UnauthorizedException::class, 'UNAUTHORIZED', 401],
            'NOT_FOUND' => ['GET /v1/domains', ['status' => 404], [], NotFoundException::class, 'NOT_FOUND', 404],
            'RATE_LIMITED' => [
                'GET /v1/domains', ['status' => 429, 'retry_after' => 3], ['max_retries' => 0], RateLimitedException::class, 'RATE_LIMITED', 429,
            ],
            'API_ERROR' => ['GET /v1/domains', ['status' => 500], ['max_retries' => 0], ApiException::class, 'API_ERROR', 500],
            'TRANSPORT' => ['GET /v1/domains', ['times' => 3], ['max_retries' => 0], TransportException::class, 'TRANSPORT', null],
            'TIMEOUT' => ['GET /v1/domains', ['delay_ms' => 2000], ['max_retries' => 0, 'timeout' => 0.3], TimeoutException::class, 'TIMEOUT', null],
            'DECODE' => ['GET /v1/domains', [], [], DecodeException::class, 'DECODE', null],
        ];
    }

    /**
     * @dataProvider faults
     * @param array<string, int> $details
     * @param array<string, mixed> $options
     * @param class-string<QencodeException> $class
     */
    public function testErrorCodes(string $route, array $details, array $options, string $class, string $code, ?int $status): void
    {
        $kind = match ($code) {
            'TRANSPORT' => 'drop',
            'TIMEOUT' => 'delay',
            'DECODE' => 'not_json',
            default => 'status',
        };
        $this->emu->injectFault($route, $kind, $details);
        try {
            $this->emu->client($options)->listDomains();
            $this->fail("expected $code");
        } catch (QencodeException $e) {
            $this->assertInstanceOf($class, $e);
            $this->assertSame($code, $e->errorCode);
            $this->assertSame($status, $e->status);
            $this->assertStringStartsWith("$code: ", $e->getMessage());
            $this->assertStringNotContainsString($this->emu->apiKey(), $e->getMessage() . $e);
            if ($e instanceof RateLimitedException) {
                $this->assertEquals(3, $e->retryAfter);
            }
            if ($e instanceof ApiException) {
                $this->assertIsString($e->body);
            }
        }
    }

    public function testRetriesAndOptions(): void
    {
        $this->emu->injectFault('GET /v1/domains', 'status', ['status' => 503, 'times' => 2]);
        $this->assertSame([], $this->emu->client(['max_retries' => 2])->listDomains());
        $refused = [['max_retries' => '3'], ['timeout' => null, 'retries' => 1], ['max_retries' => 11], ['api_url' => 'not a url'], ['connect_timeout' => 0]];
        foreach ($refused as $bad) {
            try {
                $this->emu->client($bad);
                $this->fail('accepted ' . json_encode($bad));
            } catch (InvalidArgumentException $e) {
                $this->assertNull($e->status);
            }
        }
        $this->assertSame([], $this->emu->client(['timeout' => null, 'connect_timeout' => new \DateInterval('PT5S'), 'max_retries' => null])->listDomains());
    }

    public function testTheDeadlineBoundsTheWholeCall(): void
    {
        // Ten 503s with Retry-After 1 and ten retries allowed: the deadline (1.5 s) ends the call after the
        // second attempt, where waiting for a third would pass it; without it the call would retry ten times.
        // (Seconds as a number: the conformance case client/deadline.)
        foreach ([\DateInterval::createFromDateString('1 second + 500000 microseconds')] as $deadline) {
            $this->emu->reset();
            $this->emu->injectFault('GET /v1/domains', 'status', ['status' => 503, 'retry_after' => 1, 'times' => 10]);
            try {
                $this->emu->client(['deadline' => $deadline, 'max_retries' => 10])->listDomains();
                $this->fail('the deadline did not end the call');
            } catch (TimeoutException $e) {
                $this->assertSame('TIMEOUT', $e->errorCode);
                $this->assertNull($e->status);
            }
            $this->assertLessThanOrEqual(2, $this->emu->counters()['requests']['GET /v1/domains']);
        }
        foreach ([['deadline' => '60'], ['deadline' => 0], ['deadline' => -1]] as $bad) {
            try {
                $this->emu->client($bad);
                $this->fail('accepted ' . json_encode($bad));
            } catch (InvalidArgumentException $e) {
                $this->assertNull($e->status);
            }
        }
        $this->emu->reset();
        $this->assertSame([], $this->emu->client(['deadline' => null])->listDomains());
    }

    public function testDomainTypesAndPoliciesAreReadByTheCore(): void
    {
        $this->assertSame('live', $this->client->createDomain('a.example.com', 'Live')['type']);
        $this->assertSame(['status' => 'ok'], $this->client->setBucketPolicy('my-bucket', 'AUTHENTICATED'));
        $refused = [
            fn () => $this->client->createDomain('b.example.com', 'vod'),
            fn () => $this->client->listDomains(''),
            fn () => $this->client->setBucketPolicy('my-bucket', "public\0"),
        ];
        foreach ($refused as $i => $call) {
            try {
                $call();
                $this->fail("case $i accepted");
            } catch (InvalidArgumentException $e) {
                $this->assertSame('INVALID_ARGUMENT', $e->errorCode, $e->getMessage());
            }
        }
    }

    public function testBadFaultIsInvalidArgument(): void
    {
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('boom');
        $this->emu->injectFault('*', 'boom');
    }

    public function testFromEnv(): void
    {
        putenv('QENCODE_API_KEY=' . $this->emu->apiKey());
        try {
            $this->assertSame([], Client::fromEnv(['api_url' => $this->emu->url, 'auth_url' => $this->emu->url])->listDomains());
            putenv('QENCODE_API_KEY=  ');
            $this->expectException(InvalidArgumentException::class);
            $this->expectExceptionMessage('QENCODE_API_KEY');
            Client::fromEnv();
        } finally {
            putenv('QENCODE_API_KEY');
        }
    }

    public function testWrongApiKeyIsUnauthorizedAndNotShown(): void
    {
        $secret = 'sk-live-0123456789abcdef';
        $client = $this->emu->client([], $secret);
        ob_start();
        var_dump($client);
        print_r($client);
        var_export($client);
        $dump = (string) ob_get_clean();
        $this->assertStringNotContainsString($secret, $dump);
        try {
            $client->listDomains();
            $this->fail('a wrong API key was accepted');
        } catch (UnauthorizedException $e) {
            $this->assertSame(401, $e->status);
            // (var_dump of exceptions is checked in a small process: SecretsTest.)
            $this->assertStringNotContainsString($secret, $e . $e->getTraceAsString());
        }
    }
}
