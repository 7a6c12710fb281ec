"""A KMS example that runs: bindings-python/examples/kms_signer.py signs
through boto3 against moto's KMS on loopback (RSA-4096,
RSASSA_PKCS1_V1_5_SHA_256), and our Verifier accepts the token given the KMS
public key. The same file is shown in docs/python.md."""

from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from qencode_cdn import Signer, SignerFailedError, Verifier

from conftest import ROOT

EXAMPLE = ROOT / "bindings-python" / "examples" / "kms_signer.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kms_signer_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def kms() -> Iterator[Any]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=f"http://{host}:{port}",
            aws_access_key_id="moto",
            aws_secret_access_key="moto",
        )
    finally:
        server.stop()


@pytest.fixture(scope="module")
def key_arn(kms: Any) -> str:
    return str(kms.create_key(KeySpec="RSA_4096", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"])


def test_the_example_runs_as_a_user_runs_it() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    url, verdict = done.stdout.splitlines()
    assert url.startswith("https://play-abc123.qencode.com/qhls/qlive/playlist.m3u8?auth=ey")
    assert verdict == "verified with the KMS public key: uri=abc123 (4096-bit key)"


def test_kms_tokens_verify_with_the_kms_public_key_from_many_threads(kms: Any, key_arn: str) -> None:
    signer = load_example().kms_signer(kms, key_arn, "kms-key-1")
    assert signer.is_external and signer.key_bits == 4096
    verifier = Verifier(kms.get_public_key(KeyId=key_arn)["PublicKey"], key_id="kms-key-1")
    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens = list(pool.map(lambda i: signer.sign(f"videos/{i}/", expires_in=600), range(8)))
    for i, token in enumerate(tokens):
        assert verifier.verify(token)["uri"] == f"videos/{i}/"
    results = signer.sign_many([f"v/{i}" for i in range(4)], threads=4)
    assert all(verifier.verify(r.token)["uri"] == f"v/{i}" for i, r in enumerate(results))


def test_a_kms_error_is_signer_failed_with_the_boto_error_as_cause(kms: Any) -> None:
    """A key that cannot sign (made for encryption): KMS refuses each Sign call."""
    arn = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"]
    signer = load_example().kms_signer(kms, arn, "kms-key-2")
    with pytest.raises(SignerFailedError, match=f"AWS KMS {arn}") as e:
        signer.sign("abc")
    assert isinstance(e.value.__cause__, ClientError)
    assert "SIGN_VERIFY" in str(e.value) and "SIGN_VERIFY" in str(e.value.__cause__)
    results = signer.sign_many(["a", "b"])
    assert not any(r.ok for r in results)
    assert all(isinstance(r.error, SignerFailedError) and isinstance(r.error.__cause__, ClientError) for r in results)


def test_a_kms_signature_of_another_algorithm_is_refused(kms: Any, key_arn: str) -> None:
    """PSS is not RS256: the core's check refuses it instead of handing out a token."""
    public_key = kms.get_public_key(KeyId=key_arn)["PublicKey"]

    def pss(signing_input: bytes) -> bytes:
        answer = kms.sign(
            KeyId=key_arn, Message=signing_input, MessageType="RAW", SigningAlgorithm="RSASSA_PSS_SHA_256"
        )
        return bytes(answer["Signature"])

    with pytest.raises(SignerFailedError, match="does not verify"):
        Signer.external("kms-key-1", public_key, pss).sign("abc")


def test_the_docs_show_the_example_verbatim() -> None:
    docs = (ROOT / "docs" / "python.md").read_text()
    assert f"```python\n{EXAMPLE.read_text()}```" in docs
