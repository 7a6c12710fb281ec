"""Tokens per second: qencode_cdn.Signer.sign vs PyJWT, and vs the Rust core.

One process, one CPU core (pinned), RSA 2048 and 4096 (the repository's test
keys). For each size:

- ``core``: the Rust core signing in a Rust loop (same process and build);
- ``qencode_cdn``: ``Signer.sign(uri)`` called from Python;
- ``pyjwt-pem``: ``jwt.encode`` with the PEM passed on every call, as the
  reference's Python sample does (the key is parsed each time);
- ``pyjwt-key``: ``jwt.encode`` with a key loaded once by ``cryptography``.

Targets: qencode_cdn >= 0.9 x core, and >= 1.0 x pyjwt-key. ``--check``
exits non-zero when a target is missed. Run with a release build:
``bench/python/run.sh``.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import sys
import time
from collections.abc import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

import qencode_cdn
from qencode_cdn import _native

ROOT = pathlib.Path(os.environ.get("QCDN_ROOT") or pathlib.Path(__file__).resolve().parents[2])
KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b"
URI = "1f1ab6a3-d867-4787-b882-7f2fb1203634"
HEADERS = {"alg": "RS256", "typ": "JWT", "kid": KID}


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls ``fn`` for about ``seconds`` (after a short warm-up); returns calls per second."""
    for _ in range(5):
        fn()
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(10):
            fn()
        n += 10
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def core_rate(signer: qencode_cdn.Signer, seconds: float) -> float:
    _native._bench_core_sign(signer, URI, 5)
    n = 10
    while True:
        took = _native._bench_core_sign(signer, URI, n)
        if took >= seconds:
            return n / took
        n = max(n * 2, int(n * seconds / max(took, 1e-6) * 1.1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=0.3, help="time per measurement (default 0.3)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds, best kept (default 10)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()

    cpu = min(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    print(f"qencode_cdn {qencode_cdn.__version__} ({pathlib.Path(_native.__file__).name}), PyJWT {jwt.__version__}")
    where = f"Python {platform.python_version()} on {platform.machine()}, pinned to CPU {cpu}"
    print(f"{where}, best of {args.rounds} x {args.seconds} s\n")

    ok = True
    header = f"{'bits':>5} {'core':>9} {'qencode_cdn':>12} {'pyjwt-pem':>10} {'pyjwt-key':>10}"
    header += f"  {'vs core':>8} {'vs pem':>8} {'vs key':>8}"
    print(header)
    for bits, key_file in [(2048, "rsa2048.pkcs1.pem"), (4096, "rsa4096.pkcs1.pem")]:
        pem = (ROOT / "tests" / "keys" / key_file).read_text()
        signer = qencode_cdn.Signer(KID, pem)
        loaded = serialization.load_pem_private_key(pem.encode(), password=None)
        assert isinstance(loaded, RSAPrivateKey)

        def ours(s: qencode_cdn.Signer = signer) -> str:
            return s.sign(URI, expires_in=3600)

        def pyjwt_pem(p: str = pem) -> str:
            return jwt.encode({"uri": URI, "exp": int(time.time()) + 3600}, p, algorithm="RS256", headers=HEADERS)

        def pyjwt_key(k: RSAPrivateKey = loaded) -> str:
            return jwt.encode({"uri": URI, "exp": int(time.time()) + 3600}, k, algorithm="RS256", headers=HEADERS)

        # Interleaved rounds, best of each: the machine is shared, and a
        # neighbour's burst should not decide a ratio.
        r_core = r_ours = r_pem = r_key = 0.0
        for _ in range(args.rounds):
            r_core = max(r_core, core_rate(signer, args.seconds))
            r_ours = max(r_ours, rate(ours, args.seconds))
            r_pem = max(r_pem, rate(pyjwt_pem, args.seconds))
            r_key = max(r_key, rate(pyjwt_key, args.seconds))
        vs_core, vs_pem, vs_key = r_ours / r_core, r_ours / r_pem, r_ours / r_key
        line = f"{bits:>5} {r_core:>9.0f} {r_ours:>12.0f} {r_pem:>10.0f} {r_key:>10.0f}"
        line += f"  {vs_core:>7.2f}x {vs_pem:>7.2f}x {vs_key:>7.2f}x"
        print(line)
        if vs_core < 0.9 or vs_key < 1.0:
            ok = False
    print("\ntokens per second; targets: qencode_cdn >= 0.90x core and >= 1.00x pyjwt-key:", "met" if ok else "MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
