"""Signer: keys in every accepted form, options conversion, URLs, cookies."""

from __future__ import annotations

import base64
import datetime as dt
import json
import pathlib

import pytest

import qencode_cdn
from qencode_cdn import InvalidArgumentError, InvalidKeyError, Resource, Signer, Verifier

from conftest import KID, NOW, key_path, read_key


def claims_of(token: str) -> dict[str, object]:
    return qencode_cdn.decode_unverified(token)[1]


def test_key_loads_from_str_bytes_der_file_env_and_base64(monkeypatch: pytest.MonkeyPatch, pem2048: str) -> None:
    reference = Signer(KID, pem2048).sign("a", now=NOW)
    forms = [
        Signer(KID, pem2048.encode()),
        Signer(KID, bytearray(pem2048.encode())),
        Signer(KID, key_path("rsa2048.pkcs1.der").read_bytes()),
        Signer(KID, read_key("rsa2048.pkcs8.pem")),
        Signer.from_file(KID, key_path("rsa2048.pkcs8.pem")),
        Signer.from_file(KID, str(key_path("rsa2048.pkcs1.pem"))),
        Signer(KID, base64.b64encode(pem2048.encode()).decode()),
        Signer(KID, pem2048.replace("\n", "\\n")),
        Signer(KID, pem2048.replace("\n", " ")),
    ]
    monkeypatch.setenv("QENCODE_SIGNING_KEY", pem2048.replace("\n", "\\n"))
    forms.append(Signer.from_env(KID))
    monkeypatch.setenv("QENCODE_SIGNING_KEY", f"  {pem2048}\n")
    monkeypatch.setenv("QENCODE_SIGNING_KEY_ID", f" {KID}\n")
    forms.append(Signer.from_env())
    for s in forms:
        assert s.sign("a", now=NOW) == reference
        assert s.key_id == KID
        assert s.key_bits == 2048


def test_from_env_without_the_variable_is_invalid_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QENCODE_SIGNING_KEY", raising=False)
    with pytest.raises(InvalidArgumentError, match="QENCODE_SIGNING_KEY"):
        Signer.from_env(KID)


def test_from_env_takes_the_key_id_from_the_environment_when_not_given(
    monkeypatch: pytest.MonkeyPatch, pem2048: str
) -> None:
    monkeypatch.setenv("QENCODE_SIGNING_KEY", pem2048)
    monkeypatch.delenv("QENCODE_SIGNING_KEY_ID", raising=False)
    with pytest.raises(InvalidArgumentError, match="QENCODE_SIGNING_KEY_ID"):
        Signer.from_env()
    monkeypatch.setenv("QENCODE_SIGNING_KEY_ID", "env-id")
    assert Signer.from_env().key_id == "env-id"
    assert Signer.from_env("arg-id").key_id == "arg-id"
    assert Signer.from_env(key_id=None).key_id == "env-id"


def test_missing_key_file_is_invalid_argument_naming_the_path(tmp_path: pathlib.Path) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Signer.from_file(KID, tmp_path / "nope.pem")
    assert info.value.code == "INVALID_ARGUMENT"
    assert "nope.pem" in str(info.value)


@pytest.mark.parametrize(
    "name", ["rsa1024.pkcs1.pem", "rsa2048.encrypted.pem", "ec-p256.pkcs8.pem", "ed25519.pem", "rsa2048.spki.pem"]
)
def test_unusable_keys_raise_invalid_key_without_the_key_text(name: str) -> None:
    text = read_key(name)
    with pytest.raises(InvalidKeyError) as info:
        Signer(KID, text)
    assert info.value.code == "INVALID_KEY"
    body_line = text.splitlines()[1]
    assert body_line not in str(info.value)
    assert body_line not in repr(info.value)


def test_key_of_wrong_type_is_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError):
        Signer(KID, 12345)  # type: ignore[arg-type]


def test_repr_never_shows_the_private_key(signer: Signer, pem2048: str) -> None:
    text = repr(signer) + str(signer)
    assert "<redacted>" in text
    for line in pem2048.splitlines()[1:-1]:
        assert line not in text


def test_default_expiry_is_one_hour(signer: Signer) -> None:
    assert claims_of(signer.sign("a", now=NOW)) == {"uri": "a", "exp": NOW + 3600}


def test_expires_in_accepts_int_and_timedelta(signer: Signer) -> None:
    assert claims_of(signer.sign("a", expires_in=60, now=NOW))["exp"] == NOW + 60
    assert claims_of(signer.sign("a", expires_in=dt.timedelta(minutes=2), now=NOW))["exp"] == NOW + 120
    assert claims_of(signer.sign("a", expires_in=dt.timedelta(days=1), now=NOW))["exp"] == NOW + 86400


def test_expires_at_and_not_before_accept_int_and_aware_datetime(signer: Signer) -> None:
    at = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    nbf = dt.datetime(2023, 11, 14, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    c = claims_of(signer.sign("a", expires_at=at, not_before=nbf, now=NOW))
    assert c == {"uri": "a", "exp": int(at.timestamp()), "nbf": int(nbf.timestamp())}
    c = claims_of(signer.sign("a", expires_at=1_900_000_000, not_before=1_700_000_000, now=NOW))
    assert c == {"uri": "a", "exp": 1_900_000_000, "nbf": 1_700_000_000}


def test_naive_datetime_is_refused(signer: Signer) -> None:
    with pytest.raises(InvalidArgumentError, match="naive"):
        signer.sign("a", expires_at=dt.datetime(2030, 1, 1))


@pytest.mark.parametrize("bad", [None, "3600", True, [600]])
def test_expires_in_none_or_wrong_type_never_means_forever(signer: Signer, bad: object) -> None:
    # a TypeError that is also an InvalidArgumentError with its code (the core says which)
    with pytest.raises(qencode_cdn.InvalidArgumentTypeError) as info:
        signer.sign("a", expires_in=bad)  # type: ignore[arg-type]
    err: BaseException = info.value
    assert isinstance(err, TypeError)
    assert isinstance(err, InvalidArgumentError)
    assert info.value.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize("bad", [1.5, dt.timedelta(seconds=1, milliseconds=500)])
def test_a_fraction_of_a_second_is_refused_but_not_a_type_error(signer: Signer, bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="whole number") as info:
        signer.sign("a", expires_in=bad)  # type: ignore[arg-type]
    assert not isinstance(info.value, TypeError)


def test_a_whole_float_is_whole_seconds(signer: Signer) -> None:
    assert claims_of(signer.sign("a", expires_in=600.0, now=NOW))["exp"] == NOW + 600  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -1, dt.timedelta(0), dt.timedelta(seconds=-5)])
def test_zero_or_negative_lifetime_is_refused(signer: Signer, bad: object) -> None:
    with pytest.raises(InvalidArgumentError):
        signer.sign("a", expires_in=bad)  # type: ignore[arg-type]


def test_never_expires_must_be_asked_for_by_name(signer: Signer) -> None:
    assert claims_of(signer.sign("a", never_expires=True, now=NOW)) == {"uri": "a"}
    with pytest.raises(InvalidArgumentError):
        signer.sign("a", never_expires=True, expires_in=60)
    with pytest.raises(InvalidArgumentError):
        signer.sign("a", never_expires=True, expires_at=1_900_000_000)


def test_none_for_a_lifetime_is_a_type_error_and_for_the_rest_means_not_given(signer: Signer) -> None:
    for lifetime in ("expires_in", "expires_at", "never_expires"):
        with pytest.raises(qencode_cdn.InvalidArgumentTypeError, match=lifetime):
            signer.sign("a", **{lifetime: None})  # type: ignore[arg-type]
    plain = signer.sign("a", now=NOW)
    assert signer.sign("a", not_before=None, claims=None, now=NOW) == plain
    assert claims_of(plain) == {"uri": "a", "exp": NOW + 3600}


def test_datetimes_are_rounded_down_to_the_second(signer: Signer) -> None:
    at = dt.datetime(2030, 1, 1, 0, 0, 0, 999_999, tzinfo=dt.timezone.utc)
    assert claims_of(signer.sign("a", expires_at=at, now=NOW))["exp"] == int(at.timestamp())
    nbf = dt.datetime.fromtimestamp(NOW - 1, dt.timezone.utc) + dt.timedelta(microseconds=999_999)
    assert claims_of(signer.sign("a", not_before=nbf, now=NOW))["nbf"] == NOW - 1
    before_epoch = dt.datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=dt.timezone.utc)
    with pytest.raises(InvalidArgumentError, match="negative"):  # -1, rounded down
        signer.sign("a", not_before=before_epoch, now=NOW)


def test_an_expiry_in_the_past_is_refused_sign_with_now_in_the_past_instead(signer: Signer) -> None:
    with pytest.raises(InvalidArgumentError):
        signer.sign("a", expires_at=NOW - 60, now=NOW)
    expired = signer.sign("a", expires_in=60, now=NOW - 3600)
    assert claims_of(expired)["exp"] == NOW - 3540


def test_uri_with_a_leading_slash_is_refused(signer: Signer) -> None:
    with pytest.raises(InvalidArgumentError, match="/videos/a/"):
        signer.sign("/videos/a/")


def test_custom_claims_round_trip_sorted(signer: Signer, verifier: Verifier) -> None:
    claims = {"viewer": "u-42", "a": [1, 2.5, None, True], "nested": {"k": "v"}}
    token = signer.sign("a", claims=claims, now=NOW)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert list(payload) == ["uri", "exp", "a", "nested", "viewer"]
    assert verifier.verify(token, now=NOW) == {"uri": "a", "exp": NOW + 3600, **claims}


@pytest.mark.parametrize(
    "claims",
    [{"uri": "x"}, {"exp": 1}, {1: "x"}, {"x": object()}, {"x": float("nan")}, {"x": 2**70}, ["not", "a", "dict"]],
)
def test_bad_claims_are_invalid_argument(signer: Signer, claims: object) -> None:
    with pytest.raises(InvalidArgumentError):
        signer.sign("a", claims=claims)  # type: ignore[arg-type]


def test_signed_urls_of_all_four_forms_verify(signer: Signer, verifier: Verifier) -> None:
    urls = [
        signer.signed_live_url("abc123"),
        signer.signed_live_custom_domain_url("cdn.example.com", "abc123"),
        signer.signed_storage_url("my-bucket", "us-west", "videos/intro.mp4"),
        signer.signed_storage_custom_domain_url("media.example.com", "videos/a b.mp4"),
        signer.sign_url("https://media.example.com/videos/x.mp4?v=1", "videos/"),
    ]
    assert urls[0].startswith("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=")
    assert urls[3].startswith("https://media.example.com/videos/a%20b.mp4?auth=")
    assert "?v=1&auth=" in urls[4]
    for url in urls:
        e = verifier.explain(url)
        assert e.ok, str(e)


def test_signed_url_with_bad_host_part_is_invalid_argument(signer: Signer) -> None:
    with pytest.raises(InvalidArgumentError):
        signer.signed_storage_url("my-bucket", "mars-1", "a.mp4")
    with pytest.raises(InvalidArgumentError):
        signer.signed_live_url("not a playback id")


def test_signed_cookie_attributes(signer: Signer) -> None:
    c = signer.signed_cookie("videos/a/", domain="example.com", now=NOW, expires_in=600)
    assert c.name == qencode_cdn.COOKIE_NAME == "Qencode-Auth-Token"
    assert (c.domain, c.path, c.max_age, c.secure, c.http_only, c.same_site) == (
        "example.com",
        "/videos/a/",
        600,
        True,
        True,
        "Lax",
    )
    assert (
        str(c)
        == c.header_value()
        == (
            f"Qencode-Auth-Token={c.value}; Domain=example.com; Path=/videos/a/; Max-Age=600; "
            "Secure; HttpOnly; SameSite=Lax"
        )
    )
    assert c.to_dict()["value"] == c.value
    assert c.value not in repr(c)
    assert c == signer.signed_cookie("videos/a/", domain="example.com", now=NOW, expires_in=600)


def test_cookie_for_a_single_file_is_refused_unless_its_path_is_named(signer: Signer) -> None:
    with pytest.raises(InvalidArgumentError, match="videos/a/"):
        signer.signed_cookie("videos/a/master.m3u8")
    c = signer.signed_cookie("videos/a/intro.mp4", path="/videos/a/intro.mp4")
    assert c.path == "/videos/a/intro.mp4"


def test_cookie_options_none_means_not_given(signer: Signer) -> None:
    c = signer.signed_cookie("videos/a/", domain=None, path=None, same_site=None, now=NOW)
    assert c == signer.signed_cookie("videos/a/", now=NOW)
    assert (c.domain, c.path, c.same_site) == (None, "/videos/a/", "Lax")
    with pytest.raises(qencode_cdn.InvalidArgumentTypeError):
        signer.signed_cookie("videos/a/", secure="yes")  # type: ignore[arg-type]


def test_cookie_same_site_none_requires_secure(signer: Signer) -> None:
    c = signer.signed_cookie("", same_site="strict", never_expires=True)
    assert (c.same_site, c.max_age, c.path) == ("Strict", None, "/")
    with pytest.raises(InvalidArgumentError):
        signer.signed_cookie("", same_site="None", secure=False)
    with pytest.raises(InvalidArgumentError):
        signer.signed_cookie("", same_site="sideways")


def test_public_key_pem_and_jwk(signer: Signer) -> None:
    pem = signer.public_key_pem()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    jwk = json.loads(signer.public_key_jwk())
    assert jwk["kid"] == KID and jwk["kty"] == "RSA"
    token = signer.sign("a")
    assert Verifier(pem).verify(token)["uri"] == "a"
    assert Verifier.from_jwk(signer.public_key_jwk()).verify(token)["uri"] == "a"


def test_gil_is_released_while_the_core_signs() -> None:
    """Signing runs in the same `run` wrapper (py.detach) as every core call:
    while a long native signing loop holds no GIL, another thread keeps running."""
    import threading
    import time

    from qencode_cdn import _native

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
        took = _native._bench_core_sign(s4096, "abc", 100)
        during = ticks - before
    finally:
        stop.set()
        t.join()
    # With the GIL held the other thread could not run at all (0 or 1 tick).
    assert during >= 5, f"{during} ticks in {took:.2f} s of signing"


def test_one_signer_is_shared_between_threads(signer: Signer, verifier: Verifier) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(lambda i: signer.sign(f"stream-{i}", now=NOW), range(32)))
    for i, token in enumerate(tokens):
        assert verifier.verify(token, now=NOW)["uri"] == f"stream-{i}"
        assert token == signer.sign(f"stream-{i}", now=NOW)


def test_native_value_objects_are_immutable(signer: Signer, verifier: Verifier) -> None:
    cookie = signer.signed_cookie("a/")
    explanation = verifier.explain(signer.signed_live_url("abc"))
    for obj, attr in [(cookie, "value"), (explanation, "ok"), (signer, "key_id"), (Resource.live("x"), "kind")]:
        with pytest.raises(AttributeError):
            setattr(obj, attr, None)
