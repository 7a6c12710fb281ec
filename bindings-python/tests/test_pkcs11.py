"""Signer.from_pkcs11 against a real HSM implementation, SoftHSM2 (Debian
``softhsm2``, installed by tests/suites/30-python.sh): tokens are initialised
in a temporary folder, the test keys imported, and the HSM signs every golden
token of the conformance cases byte for byte. A wrong PIN, a missing key,
token or module, and a token removed while in use each give their class."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from qencode_cdn import InvalidArgumentTypeError, InvalidKeyError, Signer, SignerFailedError, Verifier

from conftest import NOW, conformance_cases, key_path

MODULE = pathlib.Path(os.environ.get("QCDN_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so"))
PIN = "1234"
TOKEN = "qcdn-test"
REMOVABLE = "removable"  # deleted by the test of a token removed while in use
LOCKED = "locked"  # nobody logs in: PKCS#11 login is per token and process


def softhsm(conf: pathlib.Path, *args: str) -> None:
    util = shutil.which("softhsm2-util")
    assert util, "softhsm2-util is missing: apt-get install softhsm2 (tests/suites/30-python.sh does)"
    done = subprocess.run([util, *args], env={**os.environ, "SOFTHSM2_CONF": str(conf)}, capture_output=True, text=True)
    assert done.returncode == 0, f"softhsm2-util {args}: {done.stdout}{done.stderr}"


@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[pathlib.Path]:
    """A SoftHSM configuration for this process with three tokens; the
    `qcdn-test` token holds rsa2048 (`video-key`) and rsa4096 (`video-key-4096`)."""
    assert MODULE.exists(), f"SoftHSM2 is not installed at {MODULE}: apt-get install softhsm2"
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    for token in (TOKEN, REMOVABLE, LOCKED):
        softhsm(conf, "--init-token", "--free", "--label", token, "--pin", PIN, "--so-pin", "5678")
    for token, file, label, key_id in [
        (TOKEN, "rsa2048.pkcs8.pem", "video-key", "01"),
        (TOKEN, "rsa4096.pkcs8.pem", "video-key-4096", "02"),
        (REMOVABLE, "rsa2048.pkcs8.pem", "k", "03"),
        (LOCKED, "rsa2048.pkcs8.pem", "k", "04"),
    ]:
        softhsm(conf, "--import", str(key_path(file)), "--token", token, "--label", label, "--id", key_id, "--pin", PIN)
    # Read by the module when it is first loaded (once per process).
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield conf
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_the_hsm_signs_every_golden_token_byte_for_byte(hsm: pathlib.Path) -> None:
    signers: dict[tuple[str, str], Signer] = {}
    checked = 0
    for case in conformance_cases():
        if case["op"] != "sign" or "token" not in case["expect"]:
            continue
        key = case["input"]["signer"]["key"]
        if not isinstance(key, str):
            continue
        if key.startswith("tests/keys/rsa2048."):
            label = "video-key"
        elif key.startswith("tests/keys/rsa4096."):
            label = "video-key-4096"
        else:
            continue
        kid = case["input"]["signer"]["kid"]
        if (label, kid) not in signers:
            signers[label, kid] = Signer.from_pkcs11(MODULE, TOKEN, label, PIN, kid)
        signer = signers[label, kid]
        assert signer.is_external
        assert signer.sign(case["input"]["uri"], **case["input"]["options"]) == case["expect"]["token"], case["name"]
        checked += 1
    assert checked >= 30, f"only {checked} golden tokens went through the HSM"


def test_hsm_signers_serve_many_threads_and_batches(hsm: pathlib.Path) -> None:
    signer = Signer.from_pkcs11(str(MODULE), TOKEN, "video-key", PIN, "key-1")
    verifier = Verifier.from_signer(signer)
    with ThreadPoolExecutor(max_workers=6) as pool:
        tokens = list(pool.map(lambda i: signer.sign(f"videos/{i}/"), range(30)))
    for i, token in enumerate(tokens):
        assert verifier.verify(token)["uri"] == f"videos/{i}/"
    results = signer.sign_many([(f"v/{i}", {"now": NOW}) for i in range(10)] + ["/bad"])
    assert [r.ok for r in results] == [True] * 10 + [False]
    assert repr(signer) == "Signer(key_id='key-1', key_bits=2048, external=True)"


def test_a_wrong_pin_a_missing_key_token_or_module_are_invalid_key(hsm: pathlib.Path) -> None:
    cases = [
        ((MODULE, LOCKED, "k", "0000", "k"), "wrong PIN"),
        ((MODULE, TOKEN, "no-such-key", PIN, "k"), "no private key"),
        ((MODULE, "no-such-token", "video-key", PIN, "k"), "no token"),
        (("/no/such/module.so", TOKEN, "video-key", PIN, "k"), "cannot load"),
    ]
    for args, words in cases:
        with pytest.raises(InvalidKeyError, match=words) as e:
            Signer.from_pkcs11(*args)  # type: ignore[arg-type]
        assert "0000" not in str(e.value) and PIN not in str(e.value)
    with pytest.raises(InvalidArgumentTypeError, match="pin"):
        Signer.from_pkcs11(MODULE, TOKEN, "video-key", 1234, "k")  # type: ignore[arg-type]


def test_a_token_removed_while_in_use_fails_signing_with_signer_failed(hsm: pathlib.Path) -> None:
    signer = Signer.from_pkcs11(MODULE, REMOVABLE, "k", PIN, "key-1")
    signer.sign("abc")
    softhsm(hsm, "--delete-token", "--token", REMOVABLE)
    with pytest.raises(SignerFailedError, match="removable") as e:
        signer.sign("abc")
    assert e.value.__cause__ is None  # not a Python callable's failure
