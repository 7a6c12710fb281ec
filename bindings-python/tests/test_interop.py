"""Interoperability with an independent implementation, PyJWT + cryptography.

1. PyJWT verifies every token the conformance cases expect (the success cases
   of ``sign``, ``signed_url`` and ``cookie``), with exactly the header
   ``{"alg": "RS256", "typ": "JWT", "kid": …}`` and exactly the claims the
   case's inputs ask for.
2. Our ``Verifier`` accepts tokens PyJWT signs with the reference's Python
   sample (its defects fixed), for 2048- and 4096-bit keys.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from qencode_cdn import COOKIE_NAME, DEFAULT_EXPIRES_IN, Resource, Signer, UnknownKeyIdError, Verifier

from conftest import ROOT, read_key

TOKEN_OPS = ("sign", "signed_url", "cookie")


def token_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted((ROOT / "tests" / "conformance").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            if case["op"] in TOKEN_OPS and "error" not in case["expect"]:
                cases.append(case)
    return cases


TOKEN_CASES = token_cases()


def private_key(path: str) -> RSAPrivateKey:
    data = (ROOT / path).read_bytes()
    key = (
        serialization.load_pem_private_key(data, password=None)
        if data.startswith(b"-----")
        else serialization.load_der_private_key(data, password=None)
    )
    assert isinstance(key, RSAPrivateKey)
    return key


def expected_token(case: dict[str, Any]) -> str:
    """The token inside the case's expected token, URL or Set-Cookie value."""
    want: dict[str, str] = case["expect"]
    if case["op"] == "sign":
        return want["token"]
    if case["op"] == "signed_url":
        return urllib.parse.parse_qs(urllib.parse.urlsplit(want["url"]).query)["auth"][0]
    name, _, rest = want["set_cookie"].partition("=")
    assert name == COOKIE_NAME
    return rest.split(";", 1)[0]


def expected_claims(case: dict[str, Any]) -> dict[str, Any]:
    """The claims the case's inputs ask for (DESIGN §2, §3), written out independently."""
    i = case["input"]
    opts = i.get("options") or {}
    if case["op"] == "signed_url":
        args = i["args"]
        uri = args["playback_id"] if i["form"].startswith("live") else args["key"].removeprefix("/")
    else:
        uri = i["uri"]
    claims: dict[str, Any] = {"uri": uri}
    if not opts.get("never_expires"):
        if opts.get("expires_at") is not None:
            claims["exp"] = opts["expires_at"]
        else:
            claims["exp"] = opts["now"] + int(opts.get("expires_in", DEFAULT_EXPIRES_IN))
    if opts.get("not_before") is not None:
        claims["nbf"] = opts["not_before"]
    claims.update(opts.get("claims") or {})
    return claims


def test_every_kind_of_token_case_is_checked() -> None:
    assert {c["op"] for c in TOKEN_CASES} == set(TOKEN_OPS)
    assert len(TOKEN_CASES) >= 40


@pytest.mark.parametrize("case", TOKEN_CASES, ids=[c["name"] for c in TOKEN_CASES])
def test_pyjwt_verifies_the_expected_token_of_every_case(case: dict[str, Any]) -> None:
    spec = case["input"]["signer"]
    token = expected_token(case)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": spec["kid"]}
    claims = jwt.decode(
        token,
        private_key(spec["key"]).public_key(),
        algorithms=["RS256"],
        # The cases pin the clock in 2023; the times are compared exactly below.
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "require": ["uri"]},
    )
    want = expected_claims(case)
    # Compared as JSON text: 600, 600.0 and True are three different claims.
    assert json.dumps(claims, sort_keys=True) == json.dumps(want, sort_keys=True), (claims, want)


def generate_signed_token(
    signing_key_id: str, private_key: str, uri: str, exp: int = 3600, nbf: int | None = None
) -> str:
    """The reference's Python sample, with its defects fixed (dict syntax, undefined name)."""
    payload: dict[str, Any] = {"uri": uri}
    if exp > 0:
        payload["exp"] = int(time.time()) + exp
    if nbf is not None:
        payload["nbf"] = nbf
    headers = {"alg": "RS256", "typ": "JWT", "kid": signing_key_id}
    return jwt.encode(payload, private_key, algorithm="RS256", headers=headers)


@pytest.mark.parametrize(
    ("key", "bits"),
    [
        ("rsa2048.pkcs1.pem", 2048),
        ("rsa2048.pkcs8.pem", 2048),
        ("rsa4096.pkcs1.pem", 4096),
        ("rsa4096.pkcs8.pem", 4096),
    ],
)
def test_the_reference_samples_tokens_verify_here(key: str, bits: int) -> None:
    pem = read_key(key)
    signing_key = {"id": "your_signing_key_id", "private_key": pem}
    public_pem = Signer("x", pem).public_key_pem()
    verifier = Verifier(public_pem, key_id=signing_key["id"])
    assert Signer("x", pem).key_bits == bits

    stream_playback_id = "your-stream-playback-id"
    token = generate_signed_token(signing_key["id"], signing_key["private_key"], stream_playback_id)
    claims = verifier.verify(token, resource=Resource.live(stream_playback_id))
    assert claims["uri"] == stream_playback_id and claims["exp"] > time.time()
    assert verifier.explain_token(token, resource=Resource.live(stream_playback_id)).ok

    folder = generate_signed_token(signing_key["id"], pem, "videos/a/", exp=600, nbf=int(time.time()) - 5)
    claims = verifier.verify(folder, resource=Resource.storage("videos/a/seg-1.ts"))
    assert claims["uri"] == "videos/a/" and "nbf" in claims
    with pytest.raises(UnknownKeyIdError):
        Verifier(public_pem, key_id="another-key").verify(token)


def test_a_pyjwt_token_verifies_with_a_public_key_pem_from_cryptography() -> None:
    private = private_key("tests/keys/rsa2048.pkcs8.pem")
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = jwt.encode({"uri": ""}, private, algorithm="RS256", headers={"kid": "k"})
    assert Verifier(public_pem).verify(token, resource=Resource.storage("any/thing.mp4")) == {"uri": ""}
