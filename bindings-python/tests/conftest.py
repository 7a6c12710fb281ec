"""Shared fixtures: the repository root, test keys, a signer."""

from __future__ import annotations

import os
import pathlib

import pytest

import qencode_cdn

ROOT = pathlib.Path(os.environ.get("QCDN_ROOT") or pathlib.Path(__file__).resolve().parents[2])
KEYS = ROOT / "tests" / "keys"
KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b"
NOW = 1_700_000_000


def key_path(name: str) -> pathlib.Path:
    return KEYS / name


def read_key(name: str) -> str:
    return key_path(name).read_text()


@pytest.fixture(scope="session")
def pem2048() -> str:
    return read_key("rsa2048.pkcs1.pem")


@pytest.fixture(scope="session")
def signer(pem2048: str) -> qencode_cdn.Signer:
    return qencode_cdn.Signer(KID, pem2048)


@pytest.fixture(scope="session")
def verifier(signer: qencode_cdn.Signer) -> qencode_cdn.Verifier:
    return qencode_cdn.Verifier.from_signer(signer)
