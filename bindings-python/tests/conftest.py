"""Shared fixtures (the repository root, test keys, a signer) and the conformance summary line."""

from __future__ import annotations

import os
import pathlib
from typing import Any

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


# The summary line of tests/conformance/README.md, from the reports of
# test_conformance.py::test_case[...] (one per case; the id is the case name).
_CASE_PREFIX = "test_conformance.py::test_case["
_conformance: dict[str, tuple[str, str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if _CASE_PREFIX not in report.nodeid:
        return
    name = report.nodeid.split(_CASE_PREFIX, 1)[1][:-1]
    before = _conformance.get(name, ("passed", ""))
    if before[0] == "failed":
        return
    if report.failed:
        _conformance[name] = ("failed", "")
    elif report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        _conformance[name] = ("skipped", reason.removeprefix("Skipped: "))
    elif report.when == "call":
        _conformance[name] = ("passed", "")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _conformance:
        return
    outcomes = [outcome for outcome, _ in _conformance.values()]
    skipped = [(name, why) for name, (outcome, why) in _conformance.items() if outcome == "skipped"]
    terminalreporter.write_line(
        f"conformance: python: {len(outcomes)} cases, {outcomes.count('passed')} passed, "
        f"{outcomes.count('skipped')} skipped, {outcomes.count('failed')} failed"
    )
    for name, why in skipped:
        terminalreporter.write_line(f"  skipped {name}: {why}")
