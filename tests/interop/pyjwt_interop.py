"""Interoperability with an independent implementation (PyJWT + cryptography).

1. Every golden vector (tests/vectors/tokens.json) verifies with PyJWT, with
   exactly the header and claims the vector describes.
2. Tokens signed by PyJWT — using the reference's Python sample, fixed — are
   printed as JSON for the Rust side to verify with our Verifier.

Run by core/tests/interop_pyjwt.rs; prints one JSON document on stdout.
"""
import json
import pathlib
import sys
import time

import jwt  # PyJWT
from cryptography.hazmat.primitives import serialization

ROOT = pathlib.Path(__file__).resolve().parents[2]


def generate_signed_token(signing_key_id, private_key, uri, exp=3600, nbf=None):
    """The reference's Python sample with its defects fixed (dict syntax, undefined name)."""
    payload = {"uri": uri}
    if exp > 0:
        payload["exp"] = int(time.time()) + exp
    if nbf is not None:
        payload["nbf"] = nbf
    headers = {"alg": "RS256", "typ": "JWT", "kid": signing_key_id}
    return jwt.encode(payload, private_key, algorithm="RS256", headers=headers)


def check_vectors():
    doc = json.loads((ROOT / "tests/vectors/tokens.json").read_text())
    checked = 0
    for v in doc["vectors"]:
        private = serialization.load_pem_private_key((ROOT / v["key_file"]).read_bytes(), password=None)
        public = private.public_key()
        header = jwt.get_unverified_header(v["token"])
        assert header == {"alg": "RS256", "typ": "JWT", "kid": v["kid"]}, (v["name"], header)
        claims = jwt.decode(
            v["token"],
            public,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_nbf": False, "require": ["uri"]},
        )
        opts = v["options"]
        want = {"uri": v["uri"]}
        if not opts.get("never_expires"):
            want["exp"] = opts.get("expires_at", v["now"] + opts.get("expires_in", 3600))
        if "not_before" in opts:
            want["nbf"] = opts["not_before"]
        want.update(opts.get("claims", {}))
        assert claims == want, (v["name"], claims, want)
        checked += 1
    return checked


def pyjwt_tokens():
    out = []
    for key_file, kid in [("tests/keys/rsa2048.pkcs1.pem", "py-2048"), ("tests/keys/rsa4096.pkcs8.pem", "py-4096")]:
        pem = (ROOT / key_file).read_text()
        out.append({"key_file": key_file, "kid": kid, "uri": "sample-playback-id",
                    "token": generate_signed_token(kid, pem, "sample-playback-id")})
        out.append({"key_file": key_file, "kid": kid, "uri": "videos/a/",
                    "token": generate_signed_token(kid, pem, "videos/a/", exp=600, nbf=int(time.time()) - 5)})
    return out


if __name__ == "__main__":
    n = check_vectors()
    json.dump({"vectors_verified_by_pyjwt": n, "pyjwt_version": jwt.__version__, "tokens": pyjwt_tokens()}, sys.stdout)
