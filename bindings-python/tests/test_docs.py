"""The Python examples of docs/python.md (and of README.md, if any) run as written."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, read_key

BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def python_blocks(name: str) -> list[str]:
    path = ROOT / name
    return BLOCK.findall(path.read_text()) if path.exists() else []


def test_docs_python_md_examples_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = python_blocks("docs/python.md")
    assert len(blocks) >= 6
    monkeypatch.setenv("QENCODE_SIGNING_KEY", read_key("rsa2048.pkcs1.pem").replace("\n", "\\n"))
    monkeypatch.setenv("QENCODE_API_KEY", "docs-example-key")
    namespace: dict[str, object] = {"__name__": "docs_python_md"}
    for i, code in enumerate(blocks):
        exec(compile(code, f"docs/python.md[block {i}]", "exec"), namespace)


def test_readme_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QENCODE_SIGNING_KEY", read_key("rsa2048.pkcs1.pem"))
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, code in enumerate(python_blocks("README.md") + python_blocks("bindings-python/README.md")):
        if "import qencode_cdn" in code or "from qencode_cdn" in code:
            exec(compile(code, f"README[block {i}]", "exec"), namespace)
