"""Verifier: every verification error class, leeway, resources, explain."""

from __future__ import annotations

import datetime as dt

import pytest

import qencode_cdn
from qencode_cdn import Resource, Signer, TokenError, Verifier

from conftest import KID, NOW, read_key


def test_verify_returns_the_claims(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("videos/a/", not_before=NOW - 10, now=NOW, claims={"v": 1})
    assert verifier.verify(token, now=NOW) == {"uri": "videos/a/", "exp": NOW + 3600, "nbf": NOW - 10, "v": 1}
    assert verifier.key_id == KID


@pytest.mark.parametrize(
    ("make", "kwargs", "cls", "code"),
    [
        (lambda s: "not.a.token", {}, qencode_cdn.MalformedTokenError, "MALFORMED_TOKEN"),
        (lambda s: s.sign("a", now=NOW)[:-4] + "AAAA", {}, qencode_cdn.InvalidSignatureError, "INVALID_SIGNATURE"),
        (lambda s: s.sign("a", expires_in=10, now=NOW - 100), {}, qencode_cdn.TokenExpiredError, "TOKEN_EXPIRED"),
        (
            lambda s: s.sign("a", not_before=NOW + 100, now=NOW),
            {},
            qencode_cdn.TokenNotYetValidError,
            "TOKEN_NOT_YET_VALID",
        ),
        (
            lambda s: s.sign("a", now=NOW),
            {"resource": Resource.live("b")},
            qencode_cdn.UriMismatchError,
            "URI_MISMATCH",
        ),
        (lambda s: s.sign("a", now=NOW), {"key_id": "other"}, qencode_cdn.UnknownKeyIdError, "UNKNOWN_KEY_ID"),
    ],
)
def test_each_failure_raises_its_class(
    signer: Signer, verifier: Verifier, make: object, kwargs: dict[str, object], cls: type, code: str
) -> None:
    token = make(signer)  # type: ignore[operator]
    with pytest.raises(cls) as info:
        verifier.verify(token, now=NOW, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, TokenError)
    assert info.value.code == code


def test_wrong_key_is_invalid_signature(signer: Signer) -> None:
    other = Verifier(read_key("rsa4096-b.spki.pem"))
    with pytest.raises(qencode_cdn.InvalidSignatureError):
        other.verify(signer.sign("a"))


def test_leeway_accepts_int_and_timedelta(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("a", expires_in=10, now=NOW)
    assert verifier.verify(token, now=NOW + 30, leeway=30)["uri"] == "a"
    assert verifier.verify(token, now=NOW + 30, leeway=dt.timedelta(minutes=1))["uri"] == "a"
    with pytest.raises(qencode_cdn.InvalidArgumentError):
        verifier.verify(token, leeway=-1)


def test_storage_resource_is_a_prefix_and_empty_uri_covers_the_bucket(signer: Signer, verifier: Verifier) -> None:
    assert verifier.verify(signer.sign("videos/a/"), resource=Resource.storage("/videos/a/x.mp4"))
    assert verifier.verify(signer.sign(""), resource=Resource.storage("anything.mp4"))
    with pytest.raises(qencode_cdn.UriMismatchError):
        verifier.verify(signer.sign(""), resource=Resource.live("abc"))


def test_resource_value_object() -> None:
    r = Resource.storage("/a/b.mp4")
    assert (r.kind, r.key, r.playback_id) == ("storage", "a/b.mp4", None)
    assert (Resource.live("x").kind, Resource.live("x").playback_id, Resource.live("x").key) == ("live", "x", None)
    assert r == Resource.storage("a/b.mp4") and hash(r) == hash(Resource.storage("a/b.mp4"))
    assert Resource.live("x") != Resource.storage("x")
    assert repr(Resource.live("x")) == "Resource.live('x')"
    assert repr(r) == "Resource.storage('a/b.mp4')"
    assert r.to_dict() == {"kind": "storage", "key": "a/b.mp4"}
    assert Resource.live("x").to_dict() == {"kind": "live", "playback_id": "x"}
    assert r.is_covered_by("a/") and not r.is_covered_by("b/")


def test_resource_may_be_given_in_its_dict_form(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("videos/a/", now=NOW)
    for resource in (Resource.storage("videos/a/x.mp4"), {"kind": "storage", "key": "videos/a/x.mp4"}):
        assert verifier.verify(token, now=NOW, resource=resource)["uri"] == "videos/a/"
    with pytest.raises(qencode_cdn.UriMismatchError):
        verifier.verify(token, now=NOW, resource={"kind": "storage", "key": "videos/b/x.mp4"})
    with pytest.raises(qencode_cdn.InvalidArgumentError):
        verifier.verify(token, now=NOW, resource={"kind": "tape", "key": "x"})


def test_verify_options_none_means_not_given(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("a", now=NOW)
    assert verifier.verify(token, key_id=None, leeway=None, resource=None, now=NOW) == verifier.verify(token, now=NOW)
    with pytest.raises(qencode_cdn.InvalidArgumentTypeError):
        verifier.verify(token, leeway="30")  # type: ignore[arg-type]


def test_explain_token_checks_a_bare_token(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("abc123", expires_in=60, now=NOW)
    e = verifier.explain_token(token, now=NOW)
    assert e.ok and e.url == "" and e.form is None and e.resource is None
    assert [c.name for c in e.checks] == ["format", "algorithm", "key_id", "signature", "expiry", "not_before"]
    assert e.key_id == KID and e.claims == {"uri": "abc123", "exp": NOW + 60}
    late = verifier.explain_token(token, now=NOW + 600, leeway=dt.timedelta(seconds=30))
    assert not late.ok and late.first_failure is not None and late.first_failure.name == "expiry"
    other = verifier.explain_token(token, now=NOW, resource=Resource.live("other"), key_id="k2")
    assert other.resource == Resource.live("other")
    assert [c.name for c in other.checks if not c.passed] == ["key_id", "resource"]
    assert not verifier.explain_token("not a token").ok


def test_a_jwk_kid_is_the_expected_key_id(signer: Signer) -> None:
    token = signer.sign("a", now=NOW)
    jwk = signer.public_key_jwk()
    for v in (Verifier.from_jwk(jwk), Verifier(jwk)):
        assert v.key_id == KID
        assert v.verify(token, now=NOW)["uri"] == "a"
    other = Signer("someone-else", read_key("rsa2048.pkcs1.pem")).sign("a", now=NOW)
    with pytest.raises(qencode_cdn.UnknownKeyIdError):
        Verifier.from_jwk(jwk).verify(other, now=NOW)
    assert Verifier(jwk, key_id="someone-else").verify(other, now=NOW)["uri"] == "a"


def test_audit_says_what_a_token_grants(signer: Signer, verifier: Verifier) -> None:
    token = signer.sign("", never_expires=True, now=NOW)
    warnings = qencode_cdn.audit(token, now=NOW)
    assert [w.code for w in warnings] == ["WHOLE_BUCKET", "NEVER_EXPIRES"]
    assert isinstance(warnings[0], qencode_cdn.AuditWarning)
    assert "every object" in warnings[0].message
    assert warnings[0].to_dict() == {"code": "WHOLE_BUCKET", "message": warnings[0].message}
    assert str(warnings[1]).startswith("NEVER_EXPIRES: ")
    assert signer.audit(token) == verifier.audit(token) == qencode_cdn.audit(token) == warnings
    at = dt.datetime.fromtimestamp(NOW, dt.timezone.utc)
    assert qencode_cdn.audit(signer.sign("videos/a", now=NOW), now=at)[0].code == "PREFIX_COVERS_SIBLINGS"
    assert qencode_cdn.audit(signer.sign("videos/a/", now=NOW), now=NOW) == []
    with pytest.raises(qencode_cdn.MalformedTokenError):
        qencode_cdn.audit("a.b")
    with pytest.raises(qencode_cdn.InvalidArgumentTypeError):
        qencode_cdn.audit(token, now="now")  # type: ignore[arg-type]
    e = verifier.explain(signer.signed_storage_url("my-bucket", "us-west", "videos/a", now=NOW), now=NOW)
    assert e.ok and [w.code for w in e.warnings] == ["PREFIX_COVERS_SIBLINGS"]
    assert e.to_dict()["warnings"][0]["code"] == "PREFIX_COVERS_SIBLINGS"


def test_explain_reports_each_check_in_words(signer: Signer, verifier: Verifier) -> None:
    url = signer.signed_live_url("abc123", expires_in=60, now=NOW - 3600)
    e = verifier.explain(url)
    assert not e.ok
    assert e.form == "live_playback"
    assert e.resource == Resource.live("abc123")
    assert e.key_id == KID
    assert e.claims is not None and e.claims["uri"] == "abc123"
    assert e.first_failure is not None and e.first_failure.name == "expiry"
    assert [c.name for c in e.checks][:2] == ["url", "token_present"]
    assert str(e).startswith("REFUSED: ")
    assert "expired" in str(e)
    assert e.to_dict()["ok"] is False
    assert url.split("auth=")[1] not in repr(e)


def test_explain_never_raises_on_garbage(verifier: Verifier) -> None:
    e = verifier.explain("not a url")
    assert not e.ok and e.first_failure is not None and e.first_failure.name == "url"
    e = verifier.explain("https://play-abc.qencode.com/qhls/qlive/playlist.m3u8")
    assert e.first_failure is not None and e.first_failure.name == "token_present"


def test_explain_spots_an_hs256_token(verifier: Verifier) -> None:
    import jwt

    token = jwt.encode({"uri": "abc"}, "secret-that-is-long-enough-for-hs256-keys!", algorithm="HS256")
    e = verifier.explain(qencode_cdn.live_playback_url("abc", token=token))
    assert e.first_failure is not None and e.first_failure.name == "algorithm"
    assert "HS256" in e.first_failure.detail


def test_verifier_from_private_key_and_bad_public_key(pem2048: str) -> None:
    assert Verifier(pem2048).key_id is None
    with pytest.raises(qencode_cdn.InvalidKeyError):
        Verifier("garbage")
    assert "Verifier(key_id=None)" == repr(Verifier(pem2048))
