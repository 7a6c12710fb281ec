"""Every conformance case (tests/conformance/*.json, see its README) against
the installed wheel, called as a Python user calls it: options as keyword
arguments (a JSON ``null`` is an explicit ``None``, an absent key an argument
not given), typed results turned back into the API's JSON with ``to_dict()``.

One test per case (the pytest id is the case's name); conftest.py prints the
README's summary line ``conformance: python: …`` that the suite script checks
with ``tests/conformance/check-summary``. A case is skipped only when its
``skip`` map names ``python``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import qencode_cdn as q
from qencode_cdn.testing import Emulator

from conftest import ROOT, conformance_cases

LANGUAGE = "python"


CASES = conformance_cases()

Json = Any


def key_material(spec: Json) -> str | bytes:
    """A key spec: a file path (its bytes), ``{"text": …}`` or ``{"base64": …}``."""
    if isinstance(spec, str):
        return (ROOT / spec).read_bytes()
    if "text" in spec:
        return str(spec["text"])
    return base64.b64decode(spec["base64"])


_signers: dict[str, q.Signer] = {}


def signer(spec: Json) -> q.Signer:
    """``{"kid", "key"}`` → ``Signer(kid, key)``, loaded once per spec."""
    cache_key = json.dumps(spec, sort_keys=True)
    if cache_key not in _signers:
        _signers[cache_key] = q.Signer(spec["kid"], key_material(spec["key"]))
    return _signers[cache_key]


def verifier(spec: Json) -> q.Verifier:
    if "public_key" in spec:
        return q.Verifier(key_material(spec["public_key"]))
    if "jwk" in spec:
        return q.Verifier.from_jwk(spec["jwk"])
    if "jwks" in spec:
        return q.Verifier.from_jwks(spec["jwks"])
    if "keys" in spec:
        return q.Verifier.from_keys([(k["kid"], key_material(k["key"])) for k in spec["keys"]])
    return q.Verifier.from_signer(signer(spec["signer"]))


def outcomes(results: list[tuple[str | None, str | None]]) -> Json:
    """Per-item ``(token, error code)`` as the cases write them: ``tokens``
    (``None`` for an error), ``errors`` (``None`` for a token) and ``exps``."""
    tokens = [t for t, _ in results]
    return {
        "tokens": tokens,
        "errors": [code for _, code in results],
        "exps": [None if t is None else q.decode_unverified(t)[1].get("exp") for t in tokens],
    }


def batch_outcome(r: q.SignResult) -> tuple[str | None, str | None]:
    """A ``sign_many`` result: ``.token`` for a signed item, ``.error.code`` otherwise."""
    if r.ok:
        assert r.error is None
        return r.token, None
    assert r.error is not None
    with pytest.raises(q.QencodeError) as raised:
        r.token  # noqa: B018 -- the token of a failed item raises its error
    assert raised.value is r.error
    return None, r.error.code


def sign_outcome(s: q.Signer, uri: str, options: dict[str, Json]) -> tuple[str | None, str | None]:
    try:
        return s.sign(uri, **options), None
    except q.QencodeError as e:
        return None, e.code


def explanation(e: q.Explanation) -> Json:
    return {
        "ok": e.ok,
        "checks": [f"{c.name}:{'ok' if c.passed else 'FAIL'}" for c in e.checks],
        "details": {c.name: c.detail for c in e.checks},
        "warnings": [w.code for w in e.warnings],
    }


URL_BUILDERS: dict[str, Callable[..., str]] = {
    "live": q.live_playback_url,
    "live_custom_domain": q.live_custom_domain_url,
    "storage": q.storage_url,
    "storage_custom_domain": q.storage_custom_domain_url,
}
SIGNED_URL_METHODS = {
    "live": "signed_live_url",
    "live_custom_domain": "signed_live_custom_domain_url",
    "storage": "signed_storage_url",
    "storage_custom_domain": "signed_storage_custom_domain_url",
}

# Each client call of DESIGN §4: the case's named arguments passed
# positionally (in this order), then those passed by keyword.
CLIENT_CALLS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "create_domain": (("name", "type"), ()),
    "get_domain": (("id",), ()),
    "list_domains": ((), ("type",)),
    "delete_domain": (("id",), ()),
    "create_tls_subscription": (("domain_id",), ()),
    "get_tls_subscription": (("id",), ()),
    "list_tls_subscriptions": ((), ()),
    "delete_tls_subscription": (("id",), ()),
    "create_signing_key": ((), ("stream", "domain", "bucket")),
    "get_signing_key": (("id",), ()),
    "list_signing_keys": ((), ()),
    "rename_signing_key": (("id", "name"), ()),
    "delete_signing_key": (("id",), ()),
    "set_bucket_policy": (("bucket", "policy"), ()),
    "set_bucket_cors": (("bucket", "headers"), ()),
    "get_bucket_cors": (("bucket",), ()),
    "delete_bucket_cors": (("bucket",), ()),
    "delete_bucket_cors_header": (("bucket", "header"), ()),
    "purge_bucket_cache": (("bucket",), ()),
    "purge_object_cache": (("bucket", "path"), ()),
}


def api_json(result: Any) -> Json:
    """A typed result back as the API's JSON document; ``None`` is ``{"status": "ok"}``."""
    if result is None:
        return {"status": "ok"}
    if isinstance(result, list):
        return [api_json(r) for r in result]
    if hasattr(result, "to_dict"):
        return result.to_dict()
    return result


def client_call(client: q.Client, call: str, args: dict[str, Json]) -> Json:
    positional, keywords = CLIENT_CALLS[call]
    unknown = set(args) - set(positional) - set(keywords)
    assert not unknown, f"{call}: the runner does not map the arguments {sorted(unknown)}"
    method = getattr(client, call)
    result = method(*(args[n] for n in positional), **{n: args[n] for n in keywords if n in args})
    return api_json(result)


def with_env(env: dict[str, Json], fn: Callable[[], Json]) -> Json:
    """Sets exactly the listed variables (``None`` unsets, ``{"file"}`` a file's text) around ``fn``."""
    saved = {k: os.environ.get(k) for k in env}
    try:
        for k, v in env.items():
            if v is None:
                os.environ.pop(k, None)
            elif isinstance(v, dict):
                os.environ[k] = (ROOT / v["file"]).read_text()
            else:
                os.environ[k] = v
        return fn()
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def produce(case: dict[str, Any], emulator: Callable[[], Emulator]) -> Json:
    """Runs the case's operation with the Python API; returns what it produced (or raises)."""
    i = case["input"]
    op = case["op"]
    opts: dict[str, Json] = i.get("options") or {}
    if op == "load_key":
        s = q.Signer(i["kid"], key_material(i["key"]))
        return {
            "bits": s.key_bits,
            "public_key_pem": s.public_key_pem(),
            "public_key_jwk": json.loads(s.public_key_jwk()),
        }
    if op == "sign":
        return {"token": signer(i["signer"]).sign(i["uri"], **opts)}
    if op == "signed_url":
        method = getattr(signer(i["signer"]), SIGNED_URL_METHODS[i["form"]])
        return {"url": method(**i["args"], **opts)}
    if op == "url":
        token = {"token": i["token"]} if "token" in i else {}
        return {"url": URL_BUILDERS[i["form"]](**i["args"], **token)}
    if op == "cookie":
        cookie = signer(i["signer"]).signed_cookie(i["uri"], **opts, **i["cookie"])
        return {"set_cookie": str(cookie)}
    if op == "verify":
        claims = verifier(i["verifier"]).verify(i["token"], **opts)
        header, _ = q.decode_unverified(i["token"])
        return {"kid": header.get("kid"), "claims": claims}
    if op == "explain":
        return explanation(verifier(i["verifier"]).explain(i["url"], **opts))
    if op == "explain_token":
        return explanation(verifier(i["verifier"]).explain_token(i["token"], **opts))
    if op == "jwks":
        return {"jwks": verifier(i["verifier"]).jwks()}
    if op == "sign_many":
        items = [(it["uri"], it["options"]) for it in i["items"]]
        threads = {"threads": i["threads"]} if "threads" in i else {}
        results = signer(i["signer"]).sign_many(items, **threads)
        assert len(results) == len(items)
        return outcomes([batch_outcome(r) for r in results])
    if op == "cached_sign":
        capacity = {"capacity": i["capacity"]} if "capacity" in i else {}
        cached = signer(i["signer"]).cached(i["window"], cache_pinned_clock=True, **capacity)
        out = outcomes([sign_outcome(cached, r["uri"], r["options"]) for r in i["requests"]])
        out["cached_tokens"] = cached.cached_tokens
        return out
    if op == "stream_coverage":
        report = q.stream_coverage(i["manifest_url"], i["manifest_text"], **opts)
        return {
            "ok": report["ok"],
            "format": report["format"],
            "findings": report["findings"],
            "requests": [[r["kind"], r["carrier"], r["covered"], r["finding"]] for r in report["requests"]],
        }
    if op == "audit":
        return {"warnings": [w.code for w in q.audit(i["token"], now=i["now"])]}
    if op == "decode":
        header, claims = q.decode_unverified(i["token"])
        return {"header": header, "claims": claims}
    if op == "from_env":
        key_id = {"key_id": i["key_id"]} if "key_id" in i else {}

        def from_env() -> Json:
            s = q.Signer.from_env(**key_id)
            return {"kid": s.key_id, "bits": s.key_bits}

        return with_env(i["env"], from_env)
    if op == "client_from_env":

        def client_from_env() -> Json:
            q.Client.from_env().close()
            return {"ok": True}

        return with_env(i["env"], client_from_env)
    if op == "client":
        emu = emulator()
        emu.reset()
        for fault in i.get("faults") or []:
            emu.inject_fault(**fault)
        with q.Client(emu.api_key, api_url=emu.url, auth_url=emu.url, **(i.get("options") or {})) as client:
            for step in i.get("setup") or []:
                client_call(client, step["call"], step["args"])
            return {"result": client_call(client, i["call"], i["args"])}
    raise AssertionError(f"{case['name']}: the Python runner has no operation `{op}`")


def same(got: Json, want: Json) -> bool:
    """JSON equality: ``1``, ``1.0`` and ``True`` all differ (as in every other runner)."""
    return json.dumps(got, sort_keys=True) == json.dumps(want, sort_keys=True)


def contains(got: Json, want: Json) -> bool:
    """Objects by their members (extra members allowed), arrays element by element, else equal."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and contains(got[k], w) for k, w in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(map(contains, got, want))
    return same(got, want)


def check_error(want: dict[str, Json], err: q.QencodeError) -> None:
    assert err.code == want["error"], f"expected error {want['error']}, got {err.code}: {err}"
    if "status" in want:
        assert err.status == want["status"], f"expected status {want['status']}, got {err.status!r}"
    if "retry_after" in want:
        got = getattr(err, "retry_after", None)
        assert got == want["retry_after"], f"expected retry_after {want['retry_after']}, got {got!r}"
    if "type_error" in want:
        assert isinstance(err, TypeError) == want["type_error"], f"expected type_error {want['type_error']}: {err!r}"
        assert isinstance(err, q.InvalidArgumentTypeError) == want["type_error"]
    for text in want.get("message_contains", []):
        assert text in str(err), f"the message does not contain `{text}`: {err}"


def check_success(want: dict[str, Json], got: Json) -> None:
    for key, w in want.items():
        if key == "detail_contains":
            for check_name, text in w.items():
                detail = got["details"].get(check_name, "")
                assert text in detail, f"detail of `{check_name}` is `{detail}`, which lacks `{text}`"
        elif key == "same":
            tokens = got["tokens"]
            for a, la in enumerate(w):
                for b, lb in enumerate(w):
                    equal = tokens[a] == tokens[b]
                    assert (la == lb) == equal, (
                        f"requests {a} and {b}: labels {la} and {lb} but tokens {'equal' if equal else 'differ'}"
                    )
        elif key == "cached_at_most":
            assert got["cached_tokens"] <= w, f"the cache holds {got['cached_tokens']} tokens, more than {w}"
        elif key == "result":
            assert contains(got["result"], w), f"result {got['result']} does not contain {w}"
        else:
            assert key in got, f"`{key}` was not produced"
            assert same(got[key], w), f"`{key}`: expected {w!r}, got {got[key]!r}"


@pytest.fixture(scope="module")
def conformance_emulator() -> Iterator[Callable[[], Emulator]]:
    """One emulator for every client case of the run, started on first use."""
    started: list[Emulator] = []

    def get() -> Emulator:
        if not started:
            started.append(Emulator())
        return started[0]

    yield get
    for emu in started:
        emu.stop()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any], conformance_emulator: Callable[[], Emulator]) -> None:
    reason = (case.get("skip") or {}).get(LANGUAGE)
    if reason is not None:
        pytest.skip(reason)
    want: dict[str, Json] = case["expect"]
    try:
        got = produce(case, conformance_emulator)
    except q.QencodeError as err:
        assert "error" in want, f"expected success, got {err!r}"
        check_error(want, err)
        return
    assert "error" not in want, f"expected error {want['error']}, got success {got}"
    check_success(want, got)
