"""Every client method against qencode_cdn.testing.Emulator (in-process, real HTTP)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import pytest

import qencode_cdn as q
from qencode_cdn import Client, Signer
from qencode_cdn.testing import EdgeResponse, Emulator

STREAM_ID = "1f1ab6a3-d867-4787-b882-7f2fb1203634"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator() as e:
        yield e


@pytest.fixture
def client(emu: Emulator) -> Iterator[Client]:
    emu.reset()
    with emu.client(max_retries=1, timeout=5) as c:
        yield c


def count(emu: Emulator, route: str) -> int:
    requests: dict[str, int] = emu.counters()["requests"]
    return requests.get(route, 0)


def test_domains_create_get_list_delete(client: Client, emu: Emulator) -> None:
    live = client.create_domain("live.example.com", "live")
    storage = client.create_domain(domain_name="media.example.com", type="storage")
    assert isinstance(live, q.Domain)
    assert (live.domain_name, live.type) == ("live.example.com", "live")
    assert client.get_domain(live.id) == live
    assert {d.id for d in client.list_domains()} == {live.id, storage.id}
    assert [d.id for d in client.list_domains(type="storage")] == [storage.id]
    assert live.to_dict()["domain_name"] == "live.example.com"
    with pytest.raises(dataclasses.FrozenInstanceError):
        live.domain_name = "x"  # type: ignore[misc]
    client.delete_domain(live.id)
    with pytest.raises(q.NotFoundError) as info:
        client.get_domain(live.id)
    assert info.value.status == 404 and info.value.code == "NOT_FOUND"
    assert isinstance(info.value, q.ApiError)


def test_tls_subscriptions(client: Client) -> None:
    domain = client.create_domain("live.example.com", "live")
    sub = client.create_tls_subscription(domain.id)
    assert isinstance(sub, q.TlsSubscription)
    assert sub.domain_id == domain.id and sub.status in {"pending", "active", "failed"}
    got = client.get_tls_subscription(sub.id)
    assert (got.id, got.domain_id, got.status) == (sub.id, sub.domain_id, sub.status)
    assert [s.id for s in client.list_tls_subscriptions()] == [sub.id]
    client.delete_tls_subscription(sub.id)
    assert client.list_tls_subscriptions() == []


def test_signing_keys_and_the_edge_end_to_end(client: Client, emu: Emulator) -> None:
    emu.add_stream(STREAM_ID, "abc123")
    key = client.create_signing_key(stream=STREAM_ID)
    assert isinstance(key, q.NewSigningKey)
    assert key.stream_id == STREAM_ID
    assert key.private_key.startswith("-----BEGIN")
    assert "<redacted>" in repr(key) and "BEGIN" not in repr(key) and "BEGIN" not in str(key)
    assert key.to_dict()["private_key"] == key.private_key

    signer = key.signer()
    ok = emu.fetch(signer.signed_live_url("abc123"))
    assert isinstance(ok, EdgeResponse)
    assert ok.status == 200 and ok.body.startswith(b"#EXTM3U"), ok
    expired = emu.fetch(signer.signed_live_url("abc123", expires_in=60, now=int(time.time()) - 3600))
    assert expired.status == 403 and (expired.reason or "").startswith("TOKEN_EXPIRED")

    listed = client.get_signing_key(key.id)
    assert listed == key.signing_key()
    assert [k.id for k in client.list_signing_keys()] == [key.id]
    renamed = client.rename_signing_key(key.id, "player key")
    assert renamed.name == "player key"
    client.delete_signing_key(key.id)
    with pytest.raises(q.NotFoundError):
        client.get_signing_key(key.id)


def test_signing_keys_for_a_domain_and_a_bucket(client: Client) -> None:
    domain = client.create_domain("live.example.com", "live")
    assert client.create_signing_key(domain=domain.id).domain_id == domain.id
    assert client.create_signing_key(bucket="my-bucket").bucket_name == "my-bucket"


@pytest.mark.parametrize("kwargs", [{}, {"stream": "a", "bucket": "b"}, {"stream": "a", "domain": "b", "bucket": "c"}])
def test_signing_key_needs_exactly_one_target(client: Client, emu: Emulator, kwargs: dict[str, str]) -> None:
    with pytest.raises(q.InvalidArgumentError):
        client.create_signing_key(**kwargs)
    assert count(emu, "POST /v1/signing-keys") == 0


def test_bucket_policy_with_signed_storage_urls(client: Client, emu: Emulator) -> None:
    emu.add_object("my-bucket", "videos/a.mp4", b"video bytes")
    client.set_bucket_policy("my-bucket", "authenticated")
    url = q.storage_url("my-bucket", "us-west", "videos/a.mp4")
    refused = emu.fetch(url)
    assert refused.status == 403
    key = client.create_signing_key(bucket="my-bucket")
    served = emu.fetch(key.signer().signed_storage_url("my-bucket", "us-west", "videos/a.mp4"))
    assert (served.status, served.body) == (200, b"video bytes")
    cookie = key.signer().signed_cookie("videos/")
    assert emu.fetch(url, cookie=str(cookie)).status == 200
    client.set_bucket_policy("my-bucket", "public")
    assert emu.fetch(url).status == 200
    with pytest.raises(q.InvalidArgumentError):
        client.set_bucket_policy("my-bucket", "private")


def test_bucket_cors_and_purges(client: Client, emu: Emulator) -> None:
    cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": "1600"}
    client.set_bucket_cors("my-bucket", cors)
    assert client.get_bucket_cors("my-bucket") == cors
    client.delete_bucket_cors_header("my-bucket", "Access-Control-Allow-Origin")
    assert client.get_bucket_cors("my-bucket") == {"Access-Control-Max-Age": "1600"}
    client.delete_bucket_cors("my-bucket")
    assert client.get_bucket_cors("my-bucket") == {}
    with pytest.raises(q.ApiError) as info:
        client.set_bucket_cors("my-bucket", {"X-Custom": "1"})
    assert type(info.value) is q.ApiError and info.value.status == 400 and info.value.code == "API_ERROR"
    client.purge_bucket_cache("my-bucket")
    client.purge_object_cache("my-bucket", "path/to/object")
    assert count(emu, "POST /v1/buckets/*/cache/purge_all") == 1
    assert count(emu, "POST /v1/buckets/*/cache/purge") == 1


def test_bad_input_fails_before_any_request(client: Client, emu: Emulator) -> None:
    calls: list[Callable[[], object]] = [
        lambda: client.create_domain("live.example.com", "lvie"),
        lambda: client.create_domain("not a domain", "live"),
        lambda: client.get_domain("a/b"),
        lambda: client.list_domains(type="vod"),
        lambda: client.set_bucket_cors("my-bucket", {"Bad Header": "x"}),
    ]
    for call in calls:
        with pytest.raises(q.InvalidArgumentError):
            call()
    requests = emu.counters()["requests"]
    assert {k: v for k, v in requests.items() if not k.startswith("POST /v1/access_token")} == {}


def test_wrong_api_key_is_unauthorized_and_never_shown(emu: Emulator) -> None:
    secret = "wrong-key-that-must-not-leak"
    with emu.client(api_key=secret, max_retries=0) as c:
        assert secret not in repr(c)
        with pytest.raises(q.UnauthorizedError) as info:
            c.list_domains()
    err = info.value
    assert err.code == "UNAUTHORIZED" and err.status in (401, 403)
    for text in (str(err), repr(err), str(err.body)):
        assert secret not in text


@pytest.mark.parametrize(
    ("kind", "extra", "cls", "builtin"),
    [
        ("status", {"status": 500}, q.ApiError, q.QencodeError),
        ("status", {"status": 429, "retry_after": 1}, q.RateLimitedError, q.ApiError),
        ("drop", {}, q.TransportError, ConnectionError),
        ("not_json", {}, q.DecodeError, q.QencodeError),
        ("truncate", {}, q.QencodeError, q.QencodeError),
    ],
)
def test_faults_map_to_their_exception(
    emu: Emulator, kind: str, extra: dict[str, int], cls: type[q.QencodeError], builtin: type[BaseException]
) -> None:
    emu.reset()
    with emu.client(max_retries=0, timeout=5) as c:
        emu.inject_fault("GET /v1/domains", kind, times=5, **extra)
        with pytest.raises(cls) as info:
            c.list_domains()
    assert isinstance(info.value, builtin)
    if isinstance(info.value, q.RateLimitedError):
        assert info.value.retry_after == 1.0 and info.value.status == 429
    elif type(info.value) is q.ApiError:
        assert info.value.status == 500
    else:
        assert info.value.status is None  # not an HTTP answer: no status, never a 0 placeholder


def test_retries_recover_from_one_503(emu: Emulator) -> None:
    emu.reset()
    with emu.client(max_retries=2) as c:
        emu.inject_fault("GET /v1/domains", "status", status=503, times=1)
        assert c.list_domains() == []
    assert count(emu, "GET /v1/domains") == 2


def test_timeout_is_a_timeout_error(emu: Emulator) -> None:
    emu.reset()
    with emu.client(max_retries=0, timeout=dt.timedelta(milliseconds=300)) as c:
        emu.inject_fault("GET /v1/domains", "delay", delay=1.5)
        with pytest.raises(q.QencodeTimeoutError) as info:
            c.list_domains()
        emu.inject_fault("GET /v1/domains", "delay", delay_ms=1500)
        with pytest.raises(q.QencodeTimeoutError):
            c.list_domains()
    assert isinstance(info.value, TimeoutError) and info.value.code == "TIMEOUT"
    assert info.value.status is None


def test_gil_is_released_while_a_request_waits(emu: Emulator) -> None:
    emu.reset()
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    with emu.client(max_retries=0, timeout=5) as c:
        c.list_domains()  # token fetched before the measured call
        emu.inject_fault("GET /v1/domains", "delay", delay=0.5)
        t = threading.Thread(target=spin)
        t.start()
        try:
            start = ticks
            began = time.monotonic()
            c.list_domains()
            waited = time.monotonic() - began
            during = ticks - start
        finally:
            stop.set()
            t.join()
    assert waited >= 0.45
    # With the GIL held the other thread could not run at all (0 or 1 tick).
    assert during >= 10, f"the other thread ran only {during} times in {waited:.2f} s"


def test_client_is_a_context_manager_and_closes(emu: Emulator) -> None:
    with emu.client() as c:
        assert c.api_url == emu.url
    with pytest.raises(q.InvalidArgumentError):
        c.list_domains()
    assert repr(c) == "Client(closed)"


def test_client_settings_are_checked(emu: Emulator) -> None:
    for kwargs in [{"api_url": "ftp://x"}, {"timeout": 0}, {"timeout": -1.0}, {"max_retries": 99}, {"max_retries": -1}]:
        with pytest.raises(q.InvalidArgumentError) as info:
            Client("k", **kwargs)  # type: ignore[arg-type]
        assert info.value.status is None
    for kwargs in [{"timeout": "30"}, {"max_retries": True}, {"api_url": 1}]:
        with pytest.raises(q.InvalidArgumentTypeError):
            Client("k", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(q.InvalidArgumentError):
        Client("")
    with pytest.raises(q.InvalidArgumentTypeError):
        Client(123)  # type: ignore[arg-type]


def test_none_keeps_the_default_client_settings() -> None:
    with Client("k", api_url=None, auth_url=None, timeout=None, connect_timeout=None, max_retries=None) as c:
        assert (c.api_url, c.auth_url) == ("https://api-cdn.qencode.com", "https://api-live.qencode.com")


def test_from_env(monkeypatch: pytest.MonkeyPatch, emu: Emulator) -> None:
    monkeypatch.delenv("QENCODE_API_KEY", raising=False)
    with pytest.raises(q.InvalidArgumentError, match="QENCODE_API_KEY"):
        Client.from_env()
    monkeypatch.setenv("QENCODE_API_KEY", f"  {emu.api_key}\n")  # trimmed by the core
    emu.reset()
    with Client.from_env(api_url=emu.url, auth_url=emu.url, max_retries=0) as c:
        assert c.list_domains() == []
        assert emu.api_key not in repr(c)
    with pytest.raises(q.InvalidArgumentError):
        Client.from_env(max_retries=99)  # the options are layered on top, and checked


def test_client_is_shared_between_threads(client: Client) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            d = client.create_domain(f"d{i}.example.com", "live")
            assert client.get_domain(d.id) == d
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(client.list_domains()) == 8


def test_emulator_stops_and_frees_its_port() -> None:
    emu = Emulator()
    url = emu.url
    states = [emu.running]
    assert url.startswith("http://127.0.0.1:")
    emu.stop()
    states.append(emu.running)
    assert states == [True, False]
    with pytest.raises(q.InvalidArgumentError):
        emu.add_stream("a", "b")
    with Client("k", api_url=url, auth_url=url, max_retries=0, connect_timeout=1) as c:
        with pytest.raises(q.TransportError):
            c.list_domains()


def test_emulator_fault_arguments_are_checked_by_the_emulators_parser(emu: Emulator) -> None:
    for args, kwargs, words in [
        (("*", "explode"), {}, "unknown fault kind"),
        (("*", "status"), {}, "needs `status`"),
        (("*", "status"), {"status": 600}, "100 to 599"),
        (("*", "delay"), {}, "needs `delay_ms`"),
        (("*", "delay"), {"delay_ms": 600_001}, "at most"),
        (("*", "delay"), {"delay": -1}, "non-negative"),
        (("*", "drop"), {"times": -1}, "non-negative"),
        (("*", "delay"), {"delay": 1, "delay_ms": 1000}, "not both"),
    ]:
        with pytest.raises(q.InvalidArgumentError, match=words):
            emu.inject_fault(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(q.InvalidArgumentTypeError):
        emu.inject_fault("*", "delay", delay="1s")  # type: ignore[arg-type]


def test_signer_made_from_a_new_key_matches_the_api(client: Client, emu: Emulator) -> None:
    key = client.create_signing_key(bucket="bucket-one")
    s: Signer = key.signer()
    assert s.key_id == key.id and s.key_bits == 2048


def test_emulator_settings_are_checked() -> None:
    with pytest.raises(q.InvalidArgumentError):
        Emulator(signing_key_bits=1000)
    with pytest.raises(q.InvalidArgumentError):
        Emulator(api_keys=[])
