"""Key sets: Verifier.from_jwks / from_keys / jwks() / key_ids, and the Python
forms of their arguments (text, bytes, dict; pairs or a mapping)."""

from __future__ import annotations

import json
import types

import pytest

from qencode_cdn import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidKeyError,
    InvalidSignatureError,
    Signer,
    UnknownKeyIdError,
    Verifier,
)

from conftest import NOW, key_path, read_key


@pytest.fixture(scope="module")
def old() -> Signer:
    return Signer("key-old", read_key("rsa2048.pkcs1.pem"))


@pytest.fixture(scope="module")
def new() -> Signer:
    return Signer("key-new", read_key("rsa4096.pkcs1.pem"))


def jwks_of(*signers: Signer) -> dict[str, object]:
    return {"keys": [json.loads(s.public_key_jwk()) for s in signers]}


def test_a_key_set_chooses_the_key_by_kid_in_every_form(old: Signer, new: Signer) -> None:
    doc = jwks_of(old, new)
    pem = {s.key_id: s.public_key_pem() for s in (old, new)}
    sets = [
        Verifier.from_jwks(doc),
        Verifier.from_jwks(json.dumps(doc)),
        Verifier.from_jwks(json.dumps(doc).encode()),
        Verifier.from_keys(pem),
        Verifier.from_keys(types.MappingProxyType(pem)),
        Verifier.from_keys(list(pem.items())),
        Verifier.from_keys(
            [["key-old", key_path("rsa2048.spki.der").read_bytes()], ("key-new", pem["key-new"].encode())]  # type: ignore[list-item]
        ),
        Verifier.from_keys((kid, key) for kid, key in pem.items()),
        Verifier(json.dumps(doc)),  # a JWK Set of several keys wherever a public key is read
    ]
    for v in sets:
        assert v.key_ids == ["key-old", "key-new"]
        assert v.key_id is None
        for s in (old, new):
            assert v.verify(s.sign("abc", now=NOW), now=NOW)["uri"] == "abc"


def test_a_kid_outside_the_set_is_unknown_and_named(old: Signer, new: Signer) -> None:
    v = Verifier.from_jwks(jwks_of(old, new))
    stranger = Signer("key-gone", read_key("rsa2048.pkcs1.pem")).sign("abc")
    with pytest.raises(UnknownKeyIdError) as e:
        v.verify(stranger)
    assert "key-gone" in str(e.value) and "key-old" in str(e.value)
    # The right kid with another key's signature is a bad signature, not a pass.
    impostor = Signer("key-new", read_key("rsa2048.pkcs1.pem")).sign("abc")
    with pytest.raises(InvalidSignatureError):
        v.verify(impostor)


def test_jwks_exports_a_dict_that_reads_back(old: Signer, new: Signer) -> None:
    v = Verifier.from_keys({"key-old": old.public_key_pem(), "key-new": new.public_key_pem()})
    doc = v.jwks()
    assert isinstance(doc, dict)
    assert [k["kid"] for k in doc["keys"]] == ["key-old", "key-new"]
    assert all(k["alg"] == "RS256" and k["use"] == "sig" and k["kty"] == "RSA" for k in doc["keys"])
    again = Verifier.from_jwks(json.dumps(doc))
    assert again.jwks() == doc
    # One key: its expected kid is in the export; key_ids names it.
    one = Verifier.from_signer(old)
    assert one.key_ids == ["key-old"]
    assert one.jwks() == jwks_of(old)
    assert Verifier(old.public_key_pem()).key_ids == []


def test_from_jwk_takes_a_dict_too(old: Signer) -> None:
    v = Verifier.from_jwk(json.loads(old.public_key_jwk()))
    assert v.key_id == "key-old"
    assert v.verify(old.sign("abc"))["uri"] == "abc"


def test_refused_key_sets_raise_their_class(old: Signer) -> None:
    ec = {"kty": "EC", "crv": "P-256", "kid": "ec", "x": "AA", "y": "AA"}
    with pytest.raises(InvalidKeyError, match="EC"):
        Verifier.from_jwks({"keys": [json.loads(old.public_key_jwk()), ec]})
    with pytest.raises(InvalidKeyError, match="kid"):
        Verifier.from_jwks({"keys": [{k: v for k, v in json.loads(old.public_key_jwk()).items() if k != "kid"}]})
    with pytest.raises(InvalidKeyError, match="JWK Set"):
        Verifier.from_jwks(old.public_key_jwk())
    with pytest.raises(InvalidKeyError):
        Verifier.from_jwks("keys: []")
    with pytest.raises(InvalidArgumentError, match="at least one key"):
        Verifier.from_jwks({"keys": []})
    with pytest.raises(InvalidArgumentError, match="at least one key"):
        Verifier.from_keys({})
    with pytest.raises(InvalidKeyError, match="key-2"):
        Verifier.from_keys({"key-1": old.public_key_pem(), "key-2": "not a key"})
    with pytest.raises(InvalidKeyError, match="empty"):
        Verifier.from_keys({"": old.public_key_pem()})
    pem = old.public_key_pem()
    with pytest.raises(InvalidKeyError, match="two keys"):
        Verifier.from_keys([("a", pem), ("a", pem)])


@pytest.mark.parametrize(
    "bad",
    [
        "key-1",  # a str is not a list of pairs
        42,
        [("key-1",)],
        [("key-1", "pem", "extra")],
        ["key-1"],
        [(1, "pem")],
        [("key-1", 42)],
    ],
)
def test_from_keys_shapes_are_type_errors(bad: object) -> None:
    with pytest.raises(InvalidArgumentTypeError):
        Verifier.from_keys(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [42, None, ["keys"]])
def test_from_jwks_wants_text_or_a_dict(bad: object) -> None:
    with pytest.raises(InvalidArgumentTypeError):
        Verifier.from_jwks(bad)  # type: ignore[arg-type]


def test_repr_of_a_key_set_lists_its_ids(old: Signer, new: Signer) -> None:
    v = Verifier.from_jwks(jwks_of(old, new))
    assert repr(v) == "Verifier(key_ids=['key-old', 'key-new'])"
    assert repr(Verifier.from_signer(old)) == "Verifier(key_id='key-old')"
