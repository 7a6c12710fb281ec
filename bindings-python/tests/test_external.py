"""Signer.external: a Python callable signs (here `cryptography`, an
independent RSA implementation, stands in for a KMS), the core checks every
signature. Every way a callable can fail gives its coded error, no crash and
no token; the callable's exception is the error's ``__cause__``."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

import qencode_cdn
from qencode_cdn import (
    DEFAULT_SIGNER_TIMEOUT,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidKeyError,
    QencodeTimeoutError,
    Signer,
    SignerFailedError,
    Verifier,
)

from conftest import KID, NOW, conformance_cases, read_key

Sign = Callable[[bytes], bytes]


def rsa_signer(pem: str) -> Sign:
    """RS256 with `cryptography` (OpenSSL): the signer outside our library."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, RSAPrivateKey)

    def sign(signing_input: bytes) -> bytes:
        assert isinstance(signing_input, bytes)
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())

    return sign


@pytest.fixture(scope="module")
def local() -> Signer:
    return Signer(KID, read_key("rsa2048.pkcs1.pem"))


@pytest.fixture(scope="module")
def good(local: Signer) -> Signer:
    return Signer.external(KID, local.public_key_pem(), rsa_signer(read_key("rsa2048.pkcs1.pem")))


def uri_of(signing_input: bytes) -> str:
    """The `uri` of the payload a callable is asked to sign."""
    payload = signing_input.split(b".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + b"=" * (-len(payload) % 4)))
    return str(claims["uri"])


def test_an_external_signer_makes_the_local_signers_tokens(local: Signer, good: Signer) -> None:
    assert good.is_external and not local.is_external
    assert good.key_id == KID and good.key_bits == 2048
    assert good.public_key_pem() == local.public_key_pem()
    assert good.sign("abc", now=NOW) == local.sign("abc", now=NOW)
    assert good.signed_storage_url("my-bucket", "us-west", "a.mp4", now=NOW) == local.signed_storage_url(
        "my-bucket", "us-west", "a.mp4", now=NOW
    )
    assert str(good.signed_cookie("videos/a/", now=NOW)) == str(local.signed_cookie("videos/a/", now=NOW))
    Verifier.from_signer(good).verify(good.sign("abc"))


def test_the_golden_tokens_through_a_callable() -> None:
    """Every golden token of the conformance cases, signed by the callable."""
    callables: dict[str, tuple[str, Sign]] = {}
    signers: dict[tuple[str, str], Signer] = {}
    checked = 0
    for case in conformance_cases():
        if case["op"] != "sign" or "token" not in case["expect"]:
            continue
        spec = case["input"]["signer"]
        if not isinstance(spec["key"], str) or not spec["key"].startswith(
            ("tests/keys/rsa2048.", "tests/keys/rsa4096.")
        ):
            continue
        name = spec["key"].split("/")[-1]
        if name not in callables:
            pem = read_key(name)
            callables[name] = (Signer("k", pem).public_key_pem(), rsa_signer(pem))
        if (spec["kid"], name) not in signers:
            public_key, sign = callables[name]
            signers[spec["kid"], name] = Signer.external(spec["kid"], public_key, sign)
        token = signers[spec["kid"], name].sign(case["input"]["uri"], **case["input"]["options"])
        assert token == case["expect"]["token"], case["name"]
        checked += 1
    assert checked >= 30


def test_the_callable_runs_while_the_calling_thread_has_released_the_gil(local: Signer) -> None:
    """The core calls `sign` on its helper thread, which takes the GIL; the
    thread that asked waits without it (else this would time out)."""
    threads: list[str] = []
    inner = rsa_signer(read_key("rsa2048.pkcs1.pem"))

    def sign(data: bytes) -> bytes:
        threads.append(threading.current_thread().name)
        return inner(data)

    s = Signer.external(KID, local.public_key_pem(), sign, timeout=5)
    assert s.sign("abc", now=NOW) == local.sign("abc", now=NOW)
    assert len(threads) == 1 and threads[0] != threading.current_thread().name


class KmsDown(RuntimeError):
    pass


def test_an_exception_is_signer_failed_with_the_exception_as_its_cause(local: Signer) -> None:
    original = KmsDown("the KMS said no (throttled)")

    def sign(data: bytes) -> bytes:
        raise original

    s = Signer.external(KID, local.public_key_pem(), sign)
    with pytest.raises(SignerFailedError) as e:
        s.sign("abc")
    assert e.value.code == "SIGNER_FAILED"
    assert e.value.__cause__ is original
    assert "KmsDown: the KMS said no (throttled)" in str(e.value)
    assert "test_an_exception_is_signer_failed" in str(e.value), "the default name is the callable's"
    assert "BEGIN" not in str(e.value) and "abc" not in str(e.value)
    # Every signing method keeps the cause.
    for call in (
        lambda: s.signed_live_url("abc"),
        lambda: s.signed_storage_custom_domain_url("media.example.com", "a.mp4"),
        lambda: s.sign_url("https://example.com/a.m3u8", "a"),
        lambda: s.signed_cookie("videos/a/"),
    ):
        with pytest.raises(SignerFailedError) as e:
            call()
        assert e.value.__cause__ is original


@pytest.mark.parametrize("kind", [KeyboardInterrupt, SystemExit, MemoryError])
def test_a_base_exception_in_the_callable_does_not_escape(local: Signer, kind: type[BaseException]) -> None:
    def sign(data: bytes) -> bytes:
        raise kind("stop")

    s = Signer.external(KID, local.public_key_pem(), sign, name="my KMS")
    with pytest.raises(SignerFailedError, match="my KMS") as e:
        s.sign("abc")
    assert isinstance(e.value.__cause__, kind)


def test_a_long_message_is_cut_in_the_error_and_whole_in_the_cause(local: Signer) -> None:
    def sign(data: bytes) -> bytes:
        raise ValueError("x" * 5000)

    with pytest.raises(SignerFailedError) as e:
        Signer.external(KID, local.public_key_pem(), sign).sign("abc")
    assert len(str(e.value)) < 1000 and "…" in str(e.value)
    assert str(e.value.__cause__) == "x" * 5000


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (b"\x01" * 10, "returned 10 bytes"),
        (b"", "returned 0 bytes"),
        (b"\x00" * 256, "does not verify"),
        (bytearray(b"\x07" * 256), "does not verify"),
        (memoryview(b"\x07" * 256), "does not verify"),
        (b"\x00" * 512, "returned 512 bytes"),
        ("a signature as text", "returned `str`"),
        (None, "returned `NoneType`"),
        (256, "returned `int`"),
        (base64.b64encode(b"\x07" * 256), "returned 344 bytes"),
    ],
)
def test_a_wrong_result_is_signer_failed_and_no_token(local: Signer, result: object, words: str) -> None:
    s = Signer.external(KID, local.public_key_pem(), lambda _: result)  # type: ignore[arg-type,return-value]
    with pytest.raises(SignerFailedError, match=words) as e:
        s.sign("abc")
    assert e.value.__cause__ is None


def test_a_signature_by_another_key_is_signer_failed(local: Signer) -> None:
    other = rsa_signer(read_key("rsa4096-b.pkcs1.pem"))
    s = Signer.external(KID, Signer("k", read_key("rsa4096.pkcs1.pem")).public_key_pem(), other)
    with pytest.raises(SignerFailedError, match="does not verify"):
        s.sign("abc")


def test_a_hanging_callable_is_a_timeout_and_the_caller_is_not_held(local: Signer) -> None:
    release = threading.Event()
    started = threading.Event()

    def sign(data: bytes) -> bytes:
        started.set()
        release.wait(30)
        return b"late"

    s = Signer.external(KID, local.public_key_pem(), sign, timeout=timedelta(milliseconds=300))
    t0 = time.monotonic()
    try:
        with pytest.raises(QencodeTimeoutError, match="did not answer") as e:
            s.sign("abc")
        assert isinstance(e.value, TimeoutError)
        assert e.value.code == "TIMEOUT"
        assert started.is_set()
        assert time.monotonic() - t0 < 10
    finally:
        release.set()  # the helper thread finishes; its late answer is dropped


EXIT_WHILE_A_CALLABLE_RUNS = """
import sys, time, qencode_cdn as q
public_key = q.Signer("k", open(sys.argv[1]).read()).public_key_pem()
def hung(data):
    started = time.monotonic()
    while time.monotonic() - started < 10:  # Python code that keeps wanting the GIL
        if sys.argv[2] == "sleep":
            time.sleep(0.001)
    return b"late"
try:
    q.Signer.external("k", public_key, hung, timeout=0.1).sign("abc")
except q.QencodeTimeoutError:
    print("timed out")
"""


@pytest.mark.parametrize("how", ["busy", "sleep"])
def test_the_process_exits_cleanly_while_a_timed_out_callable_still_runs(how: str) -> None:
    """The interpreter shuts down while the helper thread runs Python code:
    CPython (< 3.14) ends such a thread with pthread_exit, which must not abort."""
    import subprocess
    import sys

    from conftest import key_path

    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", EXIT_WHILE_A_CALLABLE_RUNS, str(key_path("rsa2048.pkcs1.pem")), how],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "timed out\n", "")
    assert time.monotonic() - t0 < 9, "the exit did not wait for the hung callable"


def test_a_coroutine_is_refused_with_a_pointer_to_prepare(local: Signer) -> None:
    async def sign(data: bytes) -> bytes:
        return b""

    with pytest.raises(InvalidArgumentTypeError, match="prepare"):
        Signer.external(KID, local.public_key_pem(), sign)  # type: ignore[arg-type]

    def returns_a_coroutine(data: bytes) -> object:
        return sign(data)

    s = Signer.external(KID, local.public_key_pem(), returns_a_coroutine)  # type: ignore[arg-type]
    with pytest.raises(SignerFailedError, match="coroutine"):
        s.sign("abc")


def test_many_threads_at_once_each_get_their_own_result_and_cause(local: Signer) -> None:
    inner = rsa_signer(read_key("rsa2048.pkcs1.pem"))
    calls = 0
    lock = threading.Lock()

    def sign(data: bytes) -> bytes:
        nonlocal calls
        with lock:
            calls += 1
        uri = uri_of(data)
        time.sleep(0.001)  # a network call: lets the other threads in
        if uri.startswith("bad/"):
            raise PermissionError(f"refused {uri}")
        if uri.startswith("short/"):
            return b"\x00" * 8
        return inner(data)

    s = Signer.external(KID, local.public_key_pem(), sign)
    verifier = Verifier.from_signer(local)
    uris = [f"{kind}/{i}" for i in range(40) for kind in ("good", "bad", "short")]

    def one(uri: str) -> tuple[str, object]:
        try:
            return uri, s.sign(uri)
        except qencode_cdn.QencodeError as e:
            return uri, e

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, uris))
    assert calls == len(uris)
    for uri, got in results:
        if uri.startswith("good/"):
            assert isinstance(got, str) and verifier.verify(got)["uri"] == uri
        elif uri.startswith("bad/"):
            assert isinstance(got, SignerFailedError), got
            assert isinstance(got.__cause__, PermissionError) and str(got.__cause__) == f"refused {uri}"
        else:
            assert isinstance(got, SignerFailedError) and "returned 8 bytes" in str(got), got


def test_sign_many_with_a_callable_keeps_each_items_error(local: Signer) -> None:
    inner = rsa_signer(read_key("rsa2048.pkcs1.pem"))

    def sign(data: bytes) -> bytes:
        if uri_of(data) == "bad":
            raise ValueError("no")
        return inner(data)

    s = Signer.external(KID, local.public_key_pem(), sign)
    results = s.sign_many(["a", ("bad", {"now": NOW}), ("c", {"now": NOW})], threads=3)
    assert [r.ok for r in results] == [True, False, True]
    assert results[2].token == local.sign("c", now=NOW)
    err = results[1].error
    assert isinstance(err, SignerFailedError) and isinstance(err.__cause__, ValueError)


def test_a_cached_external_signer_calls_the_callable_once_per_window(local: Signer) -> None:
    inner = rsa_signer(read_key("rsa2048.pkcs1.pem"))
    calls: list[str] = []

    def sign(data: bytes) -> bytes:
        calls.append(uri_of(data))
        return inner(data)

    cached = Signer.external(KID, local.public_key_pem(), sign).cached(300)
    assert cached.is_external and cached.cache_window == 300
    tokens = {cached.sign("videos/a/") for _ in range(50)}
    assert len(tokens) == 1 and calls == ["videos/a/"]


@pytest.mark.parametrize(
    ("timeout", "error"),
    [
        (None, InvalidArgumentTypeError),
        ("10", InvalidArgumentTypeError),
        (True, InvalidArgumentTypeError),
        (0, InvalidArgumentError),
        (timedelta(0), InvalidArgumentError),
        (-1, InvalidArgumentError),
        (float("nan"), InvalidArgumentError),
    ],
)
def test_a_deadline_is_always_on(local: Signer, timeout: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="timeout"):
        Signer.external(KID, local.public_key_pem(), rsa_signer(read_key("rsa2048.pkcs1.pem")), timeout=timeout)  # type: ignore[arg-type]
    assert DEFAULT_SIGNER_TIMEOUT == 30


def test_bad_arguments_are_refused_before_any_call(local: Signer) -> None:
    with pytest.raises(InvalidArgumentTypeError, match="callable"):
        Signer.external(KID, local.public_key_pem(), b"not callable")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        Signer.external(KID, "not a key", rsa_signer(read_key("rsa2048.pkcs1.pem")))
    with pytest.raises(InvalidArgumentError):
        Signer.external("", local.public_key_pem(), rsa_signer(read_key("rsa2048.pkcs1.pem")))


def test_repr_says_external_and_shows_no_key(good: Signer) -> None:
    assert repr(good) == f"Signer(key_id='{KID}', key_bits=2048, external=True)"
    assert repr(good.cached(60)) == f"Signer(key_id='{KID}', key_bits=2048, external=True, cache_window=60)"


def test_prepare_and_finish_for_an_awaited_signer(local: Signer, good: Signer) -> None:
    import asyncio

    inner = rsa_signer(read_key("rsa2048.pkcs1.pem"))

    async def kms_sign(data: bytes) -> bytes:
        await asyncio.sleep(0)
        return inner(data)

    async def main() -> str:
        prepared = good.prepare("videos/a/", expires_in=600, now=NOW)
        return prepared.finish(await kms_sign(prepared.signing_input))

    assert asyncio.run(main()) == local.sign("videos/a/", expires_in=600, now=NOW)
    prepared = local.prepare("abc", now=NOW)
    assert repr(prepared) == f"PreparedToken(key_id='{KID}')"
    assert prepared.signing_input == local.sign("abc", now=NOW).rsplit(".", 1)[0].encode()
    with pytest.raises(SignerFailedError, match="bytes"):
        prepared.finish(b"\x00" * 10)
    with pytest.raises(SignerFailedError):
        prepared.finish(b"\x00" * 256)
    with pytest.raises(InvalidArgumentTypeError, match="not str"):
        prepared.finish("c2ln")  # type: ignore[arg-type]
    # A refused signature does not spend the prepared token.
    assert prepared.finish(inner(prepared.signing_input)) == local.sign("abc", now=NOW)
    with pytest.raises(InvalidArgumentError):
        local.prepare("/abc")
