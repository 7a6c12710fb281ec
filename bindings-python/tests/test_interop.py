"""Interoperability with PyJWT + cryptography, both ways, and the reference sample."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from qencode_cdn import Resource, Signer, Verifier

from conftest import KID, read_key


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


@pytest.mark.parametrize("key", ["rsa2048.pkcs1.pem", "rsa4096.pkcs8.pem"])
def test_our_tokens_verify_with_pyjwt(key: str) -> None:
    pem = read_key(key)
    token = Signer(KID, pem).sign("videos/", expires_in=600, not_before=int(time.time()) - 5, claims={"v": "x"})
    public = serialization.load_pem_private_key(pem.encode(), password=None).public_key()
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": KID}
    claims = jwt.decode(token, public, algorithms=["RS256"])  # type: ignore[arg-type]
    assert claims["uri"] == "videos/" and claims["v"] == "x"


@pytest.mark.parametrize("key", ["rsa2048.pkcs1.pem", "rsa4096.pkcs8.pem"])
def test_reference_sample_tokens_verify_here(key: str) -> None:
    pem = read_key(key)
    signing_key = {"id": "your_signing_key_id", "private_key": pem}
    stream_playback_id = "your-stream-playback-id"
    token = generate_signed_token(
        signing_key["id"], signing_key["private_key"], stream_playback_id, nbf=int(time.time()) - 1
    )
    verifier = Verifier(Signer("x", pem).public_key_pem(), key_id="your_signing_key_id")
    claims = verifier.verify(token, resource=Resource.live(stream_playback_id))
    assert claims["uri"] == stream_playback_id


def test_pyjwt_token_with_our_public_key_pem_from_cryptography() -> None:
    pem = read_key("rsa2048.pkcs8.pem")
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = jwt.encode({"uri": ""}, private, algorithm="RS256", headers={"kid": "k"})  # type: ignore[arg-type]
    assert Verifier(public_pem).verify(token, resource=Resource.storage("any/thing.mp4")) == {"uri": ""}
