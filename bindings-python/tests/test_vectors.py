"""The golden vectors (tests/vectors/tokens.json), byte for byte."""

from __future__ import annotations

import json
from typing import Any

import pytest

import qencode_cdn

from conftest import ROOT

DOC = json.loads((ROOT / "tests" / "vectors" / "tokens.json").read_text())


def _sign(case: dict[str, Any]) -> str:
    signer = qencode_cdn.Signer(case["kid"], (ROOT / case["key_file"]).read_bytes())
    return signer.sign(case["uri"], now=case["now"], **case["options"])


@pytest.mark.parametrize("case", DOC["vectors"], ids=[v["name"] for v in DOC["vectors"]])
def test_golden_vector_is_reproduced_byte_for_byte(case: dict[str, Any]) -> None:
    assert _sign(case) == case["token"]


@pytest.mark.parametrize("case", DOC["vectors"], ids=[v["name"] for v in DOC["vectors"]])
def test_golden_vector_verifies_with_its_public_key(case: dict[str, Any]) -> None:
    signer = qencode_cdn.Signer(case["kid"], (ROOT / case["key_file"]).read_bytes())
    verifier = qencode_cdn.Verifier(signer.public_key_pem(), key_id=case["kid"])
    at = max(case["now"], case["options"].get("not_before", 0))
    claims = verifier.verify(case["token"], now=at)
    assert claims["uri"] == case["uri"]


@pytest.mark.parametrize("case", DOC["invalid"], ids=[v["name"] for v in DOC["invalid"]])
def test_invalid_vector_raises_its_code(case: dict[str, Any]) -> None:
    with pytest.raises(qencode_cdn.QencodeError) as info:
        _sign(case)
    err: Exception = info.value
    assert info.value.code == case["code"]
    assert isinstance(err, ValueError)
    expected = qencode_cdn.InvalidArgumentError if case["code"] == "INVALID_ARGUMENT" else qencode_cdn.InvalidKeyError
    assert type(err) is expected
