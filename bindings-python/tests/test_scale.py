"""Issuance at scale from Python: Signer.sign_many (the GIL released for the
whole batch, one result per item) and the cached signer."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

import qencode_cdn
from qencode_cdn import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    QencodeError,
    Signer,
    SignResult,
    Verifier,
)

from conftest import KID, NOW, read_key


def exp_of(token: str) -> object:
    return qencode_cdn.decode_unverified(token)[1].get("exp")


def test_every_item_form_gives_what_sign_gives(signer: Signer) -> None:
    items: list[object] = [
        "videos/a/",
        ("videos/b/",),
        ("videos/c/", {"now": NOW, "expires_in": 600}),
        ["videos/d/", {"now": NOW, "expires_in": timedelta(minutes=5), "claims": {"viewer": "u-1"}}],
        ("videos/e/", None),
    ]
    results = signer.sign_many(items)  # type: ignore[arg-type]
    assert [r.ok for r in results] == [True] * 5
    assert all(r.error is None for r in results)
    assert results[2].token == signer.sign("videos/c/", now=NOW, expires_in=600)
    assert results[3].token == signer.sign("videos/d/", now=NOW, expires_in=300, claims={"viewer": "u-1"})
    verifier = Verifier.from_signer(signer)
    for item, r in zip(items, results):
        uri = item if isinstance(item, str) else item[0]  # type: ignore[index]
        assert verifier.verify(r.token, now=NOW)["uri"] == uri


@pytest.mark.parametrize("threads", [None, 1, 2, 7])
def test_order_is_kept_on_any_number_of_threads(signer: Signer, threads: int | None) -> None:
    items = [(f"videos/{i}/", {"now": NOW, "expires_in": 600 + i}) for i in range(20)]
    results = signer.sign_many(items, threads=threads)
    assert [r.token for r in results] == [signer.sign(u, **o) for u, o in items]  # type: ignore[arg-type]


def test_a_generator_and_an_empty_batch(signer: Signer) -> None:
    assert signer.sign_many([]) == []
    results = signer.sign_many(f"v/{i}" for i in range(3))
    assert len(results) == 3 and all(r.ok for r in results)


def test_one_bad_item_does_not_fail_the_batch(signer: Signer) -> None:
    class Unserializable:
        pass

    items: list[object] = [
        "good/0",
        "/leading-slash",  # the core refuses it
        ("good/2", {"expires_in": None}),  # never "forever": a type error
        ("good/3", {"expires_at": 1_796_144_641_000}),  # milliseconds
        ("good/4", {"expiresIn": 60}),  # not a Python option name
        ("good/5", "not a dict"),
        (42, {}),
        42,
        ("good/8", {}, "extra"),
        ("good/9", {"claims": {"x": Unserializable()}}),
        "good/10",
    ]
    results = signer.sign_many(items)  # type: ignore[arg-type]
    assert len(results) == len(items)
    assert [r.ok for r in results] == [True] + [False] * 9 + [True]
    for r in results[1:-1]:
        assert isinstance(r.error, InvalidArgumentError), r
        with pytest.raises(InvalidArgumentError) as raised:
            r.token  # noqa: B018 -- a failed item's token raises its error
        assert raised.value is r.error
    assert isinstance(results[2].error, InvalidArgumentTypeError)
    assert "milliseconds" in str(results[3].error)
    assert "expiresIn" in str(results[4].error)
    for i in (5, 6, 7, 8, 9):
        assert isinstance(results[i].error, InvalidArgumentTypeError), results[i]
        assert f"item {i}" in str(results[i].error) or i == 9
    assert "Unserializable" in str(results[9].error)


def test_bad_arguments_of_the_call_itself_raise(signer: Signer) -> None:
    with pytest.raises(TypeError):
        signer.sign_many(42)  # type: ignore[arg-type]
    for bad in (0, -1):
        with pytest.raises(InvalidArgumentError, match="threads"):
            signer.sign_many(["a"], threads=bad)
    for wrong in ("2", 1.5, True):
        with pytest.raises(InvalidArgumentTypeError, match="threads"):
            signer.sign_many(["a"], threads=wrong)  # type: ignore[arg-type]

    def broken() -> object:
        yield "a"
        raise RuntimeError("the caller's iterator broke")

    with pytest.raises(RuntimeError, match="iterator broke"):
        signer.sign_many(broken())  # type: ignore[arg-type]


def test_results_redact_tokens_and_are_immutable(signer: Signer) -> None:
    ok, bad = signer.sign_many(["a", "/b"])
    assert repr(ok) == "SignResult(ok=True, token='<redacted>')"
    assert ok.token not in repr(ok)
    assert repr(bad).startswith("SignResult(ok=False, error=InvalidArgumentError(")
    assert isinstance(ok, SignResult)
    with pytest.raises(AttributeError):
        ok.token = "x"  # type: ignore[misc]


def test_the_gil_is_released_for_the_whole_batch() -> None:
    """While a batch of RSA-4096 signatures runs, another Python thread keeps running."""
    s4096 = Signer(KID, read_key("rsa4096.pkcs1.pem"))
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.0005)

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.01)
        before = ticks
        t0 = time.perf_counter()
        results = s4096.sign_many([f"v/{i}" for i in range(60)], threads=1)
        took = time.perf_counter() - t0
        during = ticks - before
    finally:
        stop.set()
        t.join()
    assert all(r.ok for r in results)
    # With the GIL held for the batch the other thread could not run at all.
    assert during >= 5, f"{during} ticks in {took:.2f} s of signing"


def test_python_threads_and_sign_many_give_the_same_tokens(signer: Signer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    uris = [f"videos/{i}/" for i in range(24)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        from_threads = list(pool.map(lambda u: signer.sign(u, now=NOW), uris))
    assert [r.token for r in signer.sign_many([(u, {"now": NOW}) for u in uris])] == from_threads


# The cached signer


def test_a_cached_signer_gives_one_token_per_uri_and_window(signer: Signer) -> None:
    cached = signer.cached(300)
    assert cached.cache_window == 300 and cached.cached_tokens == 0
    assert signer.cache_window is None and signer.cached_tokens == 0
    a = cached.sign("videos/a/")
    assert cached.sign("videos/a/") == a
    assert cached.sign("videos/b/") != a
    assert cached.sign("videos/a/", claims={"viewer": "u-1"}) != a
    assert cached.cached_tokens == 3
    assert signer.cached_tokens == 0  # the original is unchanged
    exp = exp_of(a)
    assert isinstance(exp, int) and exp % 300 == 0
    assert time.time() + 3600 <= exp + 1 and exp <= time.time() + 3600 + 300 + 1
    # The URLs and cookies go through the cache too.
    live = cached.sign("abc123")
    assert cached.signed_live_url("abc123").endswith(f"?auth={live}")
    assert cached.signed_storage_url("my-bucket", "us-west", "videos/a/x.mp4") != a
    assert cached.sign("videos/a/x.mp4") in cached.signed_storage_url("my-bucket", "us-west", "videos/a/x.mp4")


def test_the_window_is_whole_seconds_or_a_timedelta(signer: Signer) -> None:
    assert signer.cached(timedelta(minutes=5)).cache_window == 300
    assert signer.cached(60.0).cache_window == 60
    for bad in (0, 1.5, timedelta(milliseconds=1500), 86_401, -1):
        with pytest.raises(InvalidArgumentError):
            signer.cached(bad)
    for wrong in (None, "60", True):
        with pytest.raises(InvalidArgumentTypeError):
            signer.cached(wrong)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="capacity"):
        signer.cached(60, capacity=0)
    with pytest.raises(InvalidArgumentError, match="capacity"):
        signer.cached(60, capacity=-5)
    with pytest.raises(InvalidArgumentTypeError, match="capacity"):
        signer.cached(60, capacity="10")  # type: ignore[arg-type]


def test_pinned_clock_and_never_expiring_tokens_are_not_cached_by_default(signer: Signer) -> None:
    cached = signer.cached(60)
    cached.sign("a", now=NOW)
    cached.sign("a", never_expires=True)
    assert cached.cached_tokens == 0
    pinned = signer.cached(60, cache_pinned_clock=True)
    assert pinned.sign("a", now=NOW) == pinned.sign("a", now=NOW + 10)
    assert pinned.cached_tokens == 1
    assert exp_of(pinned.sign("a", now=NOW)) == NOW + 3600 + 60 - (NOW + 3600) % 60


def test_the_capacity_bounds_the_cache(signer: Signer) -> None:
    cached = signer.cached(60, capacity=10)
    for i in range(100):
        cached.sign(f"v/{i}")
    assert cached.cached_tokens <= 12  # the sharded map may hold about its capacity
    assert repr(cached) == f"Signer(key_id='{KID}', key_bits=2048, private_key='<redacted>', cache_window=60)"


def test_sign_many_on_a_cached_signer_uses_the_cache(signer: Signer) -> None:
    cached = signer.cached(300)
    results = cached.sign_many(["v/a", "v/a", "v/b", "v/a"])
    tokens = [r.token for r in results]
    assert tokens[0] == tokens[1] == tokens[3] != tokens[2]
    assert cached.cached_tokens == 2


def test_errors_pass_through_the_cache(signer: Signer) -> None:
    cached = signer.cached(60)
    with pytest.raises(InvalidArgumentError):
        cached.sign("/bad")
    with pytest.raises(InvalidArgumentTypeError):
        cached.sign("a", expires_in=None)  # type: ignore[arg-type]
    with pytest.raises(QencodeError):
        cached.sign("a", expires_in=0)
