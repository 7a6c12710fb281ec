"""Issuance at scale from Python (issue 18), printed as one JSON object: the
Python counterpart of core/examples/scale.rs, with the same fields and the
same workload (RSA-4096 test key, 1-hour tokens, a 5-minute window, Zipf(1)
over 10,000 videos, 1000 simulated requests a second, the same generator and
seed), plus what only Python has: the GIL and the Python/native boundary.

- ``single``: tokens/s of ``signer.sign(uri, expires_in=3600)`` on one
  Python thread; ``single_core``: the Rust core in a Rust loop in the same
  module (``_native._bench_core_sign``).
- ``many``: tokens/s of ``sign_many`` on every core (one call per batch, the
  GIL released for the whole batch); ``many_ratio`` = many / (cores x
  single), target >= 0.9. ``threads``: as many Python threads as cores, each
  calling ``sign`` (the GIL is released while the core signs), and
  ``threads_ratio`` the same way.
- ``core_threads``: the core in a Rust loop on every core at once (no
  Python in the loop): what the machine gives right now. On a shared machine
  (where the Linux scheduler shares the CPU between sessions, not threads)
  ``many / core_threads`` and ``threads / core_threads`` still show what the
  binding itself costs when ``many_ratio`` cannot reach 0.9.
- ``cache_hits``: hits/s of a cached signer from Python (target >= 300,000),
  taken apart: without the keyword option, in a Rust loop (no boundary at
  all) and an almost empty native call (a getter, ``signer.key_bits``: the
  boundary alone).
- ``zipf``: the realistic mix, cached, against signing every request. The
  simulated clock reaches the cache through ``now=`` (a cached signer made
  with ``cache_pinned_clock=True``), as in Node.
- ``external``: one thread signing with the local key, with a KMS (moto's KMS
  on loopback in this process, through boto3 and ``Signer.external``, via
  bindings-python/examples/kms_signer.py) and with an HSM (SoftHSM2 over
  PKCS#11): a timing, not a target; ``null`` with a reason when moto or
  SoftHSM2 is missing.

The measurements of one round are interleaved and the best of ``--rounds``
is kept: the machine is shared. Run with the release build:
``bench/python/run.sh scale [--seconds S] [--rounds R] [--zipf-requests N]
[--bits 2048|4096]``. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import bisect
import importlib.util
import json
import logging
import os
import pathlib
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import qencode_cdn
from qencode_cdn import Signer, _native

ROOT = pathlib.Path(os.environ.get("QCDN_ROOT") or pathlib.Path(__file__).resolve().parents[2])
SOFTHSM = pathlib.Path(os.environ.get("QCDN_SOFTHSM_MODULE", "/usr/lib/softhsm/libsofthsm2.so"))
MASK = (1 << 64) - 1


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def rate(secs: float, fn: Callable[[], int]) -> float:
    """Calls ``fn`` (which returns how many tokens it made) for about ``secs``; tokens per second."""
    fn()
    n = 0
    start = time.perf_counter()
    end = start + secs
    while True:
        n += fn()
        now = time.perf_counter()
        if now >= end:
            return n / (now - start)


def threads_rate(secs: float, threads: int, fn: Callable[[], object]) -> float:
    """``threads`` Python threads calling ``fn`` for about ``secs``; calls per second in all."""
    counts = [0] * threads
    go, stop = threading.Event(), threading.Event()

    def work(i: int) -> None:
        go.wait()
        while not stop.is_set():
            fn()
            counts[i] += 1

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    start = time.perf_counter()
    go.set()
    time.sleep(secs)
    stop.set()
    for t in pool:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def rng(seed: int) -> Callable[[], float]:
    """xorshift64* as in core/examples/scale.rs (same seed: the same request stream)."""
    s = seed & MASK

    def next_f64() -> float:
        nonlocal s
        s ^= s >> 12
        s = (s ^ (s << 25)) & MASK
        s ^= s >> 27
        return (((s * 0x2545F4914F6CDD1D) & MASK) >> 11) / float(1 << 53)

    return next_f64


def zipf_cdf(n: int, s: float) -> list[float]:
    """Zipf(s) over 0..n by inverse CDF."""
    weights = [1.0 / (k + 1) ** s for k in range(n)]
    total = sum(weights)
    acc, cdf = 0.0, []
    for w in weights:
        acc += w / total
        cdf.append(acc)
    return cdf


def kms_rate(bits: int, secs: float) -> tuple[float | None, str]:
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError as e:
        return None, f"moto/boto3 not installed ({e.name})"
    spec = importlib.util.spec_from_file_location("kms_signer", ROOT / "bindings-python" / "examples" / "kms_signer.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        kms = boto3.client(
            "kms",
            region_name="us-east-1",
            endpoint_url=f"http://{host}:{port}",
            aws_access_key_id="moto",
            aws_secret_access_key="moto",
        )
        arn = kms.create_key(KeySpec=f"RSA_{bits}", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
        signer = example.kms_signer(kms, arn, "bench-key")
        return rate(secs, lambda: (signer.sign("videos/a/", expires_in=3600), 1)[1]), (
            "moto's KMS on loopback in this process (ThreadedMotoServer), boto3, one thread"
        )
    finally:
        server.stop()


def softhsm_rate(bits: int, secs: float) -> tuple[float | None, str]:
    util = shutil.which("softhsm2-util")
    if util is None or not SOFTHSM.exists():
        return None, "SoftHSM2 not installed (apt-get install softhsm2)"
    tmp = tempfile.mkdtemp(prefix="qcdn-bench-softhsm-")
    try:
        conf = pathlib.Path(tmp) / "softhsm2.conf"
        (pathlib.Path(tmp) / "tokens").mkdir()
        conf.write_text(f"directories.tokendir = {tmp}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n")
        env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
        key = ROOT / "tests" / "keys" / f"rsa{bits}.pkcs8.pem"
        for args in (
            ["--init-token", "--free", "--label", "bench", "--pin", "1234", "--so-pin", "5678"],
            ["--import", str(key), "--token", "bench", "--label", "k", "--id", "01", "--pin", "1234"],
        ):
            subprocess.run([util, *args], env=env, check=True, capture_output=True)
        os.environ["SOFTHSM2_CONF"] = str(conf)  # read when the module is loaded
        signer = Signer.from_pkcs11(SOFTHSM, "bench", "k", "1234", "bench-key")
        return rate(
            secs, lambda: (signer.sign("videos/a/", expires_in=3600), 1)[1]
        ), "SoftHSM2 over PKCS#11, one thread"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, best kept (default 3)")
    parser.add_argument("--zipf-requests", type=int, default=300_000, help="requests of the mix (default 300,000)")
    parser.add_argument("--bits", type=int, choices=(2048, 4096), default=4096, help="RSA key size (default 4096)")
    parser.add_argument("--skip-external", action="store_true", help="do not time the KMS and the HSM")
    args = parser.parse_args()
    secs, short = args.seconds, min(args.seconds, 1.5)

    pem = (ROOT / "tests" / "keys" / f"rsa{args.bits}.pkcs1.pem").read_text()
    signer = Signer("bench-key", pem)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    batch = [(f"videos/{i}/", {"expires_in": 3600}) for i in range(cores * 16)]
    log(f"qencode_cdn {qencode_cdn.__version__}, Python {platform.python_version()}, {cores} cores, RSA-{args.bits}")
    load_before = [round(x, 2) for x in os.getloadavg()]

    cached = signer.cached(300)
    cached.sign("videos/hot/", expires_in=3600)
    cached.sign("videos/hot/")
    hits = 10_000

    def hit_loop(fn: Callable[[], object]) -> Callable[[], int]:
        def loop() -> int:
            for _ in range(hits):
                fn()
            return hits

        return loop

    def core_loop(s: Signer, n: int) -> Callable[[], int]:
        return lambda: (_native._bench_core_sign(s, "videos/hot/", n), n)[1]

    names = (
        "single",
        "single_core",
        "many",
        "threads",
        "core_threads",
        "hits",
        "hits_no_options",
        "hits_core",
        "empty",
    )
    best = dict.fromkeys(names, 0.0)
    per_call = 20 if args.bits == 4096 else 100

    def core_threads() -> float:
        n = max(per_call, int(best["single_core"] * secs))
        took: list[float] = []
        pool = [
            threading.Thread(target=lambda: took.append(_native._bench_core_sign(signer, "videos/a/", n)))
            for _ in range(cores)
        ]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        return cores * n / max(took)

    def keep(name: str, value: float) -> None:
        best[name] = max(best[name], value)

    for r in range(args.rounds):
        keep("single", rate(secs, lambda: (signer.sign("videos/a/", expires_in=3600), 1)[1]))
        keep("single_core", rate(short, lambda: (_native._bench_core_sign(signer, "videos/a/", per_call), per_call)[1]))
        keep("core_threads", core_threads())
        keep("many", rate(secs, lambda: len(signer.sign_many(batch))))
        keep("threads", threads_rate(secs, cores, lambda: signer.sign("videos/a/", expires_in=3600)))
        keep("hits", rate(short, hit_loop(lambda: cached.sign("videos/hot/", expires_in=3600))))
        keep("hits_no_options", rate(short, hit_loop(lambda: cached.sign("videos/hot/"))))
        keep("hits_core", rate(short, core_loop(cached, 100_000)))
        keep("empty", rate(short, hit_loop(lambda: cached.key_bits)))
        log(
            f"  round {r + 1}: single {best['single']:.0f}/s, many {best['many']:.0f}/s,"
            f" {cores} threads {best['threads']:.0f}/s, core x{cores} {best['core_threads']:.0f}/s,"
            f" hits {best['hits']:.0f}/s"
        )
    # Every item of a batch is a token (the rates count only real work).
    assert all(x.ok for x in signer.sign_many(batch))

    # The realistic mix: a simulated clock (1000 requests per simulated second,
    # pinned through `now`, which the cache is told to honour), Zipf(1) over
    # 10,000 videos, 1-hour tokens, a 5-minute window.
    cdf = zipf_cdf(10_000, 1.0)
    uris = [f"videos/{i}/" for i in range(10_000)]
    next_f64 = rng(0x9E3779B97F4A7C15)
    stream = [min(bisect.bisect_left(cdf, next_f64()), 9_999) for _ in range(args.zipf_requests)]
    mix = signer.cached(300, cache_pinned_clock=True)
    clock = 1_700_000_000
    signatures = 0
    log(f"  zipf: {args.zipf_requests} requests")
    started = time.perf_counter()
    for i, video in enumerate(stream):
        if i % 1000 == 0:
            clock += 1
        before = mix.cached_tokens
        mix.sign(uris[video], expires_in=3600, now=clock)
        if mix.cached_tokens != before:
            signatures += 1
    elapsed = time.perf_counter() - started
    plain_time = args.zipf_requests / best["single"]

    external: dict[str, Any] = {}
    if not args.skip_external:
        log("  external signers")
        local = rate(secs, lambda: (signer.sign("videos/a/", expires_in=3600), 1)[1])
        kms, kms_note = kms_rate(args.bits, secs)
        hsm, hsm_note = softhsm_rate(args.bits, secs)
        external = {
            "local_per_s": round(local),
            "kms_moto_per_s": None if kms is None else round(kms, 1),
            "softhsm_per_s": None if hsm is None else round(hsm, 1),
            "kms_note": kms_note,
            "softhsm_note": hsm_note,
        }

    def ns(per_s: float) -> int:
        return round(1e9 / per_s)

    many_ratio = best["many"] / (cores * best["single"])
    out = {
        "language": "python",
        "python": platform.python_version(),
        "qencode_cdn": qencode_cdn.__version__,
        "module": pathlib.Path(_native.__file__).name,
        "key_bits": args.bits,
        "cores": cores,
        "rounds": args.rounds,
        "seconds": secs,
        "single": round(best["single"]),
        "single_core": round(best["single_core"]),
        "many": round(best["many"]),
        "many_ratio": round(many_ratio, 3),
        "threads": round(best["threads"]),
        "threads_ratio": round(best["threads"] / (cores * best["single"]), 3),
        "core_threads": round(best["core_threads"]),
        "many_vs_core_threads": round(best["many"] / best["core_threads"], 3),
        "threads_vs_core_threads": round(best["threads"] / best["core_threads"], 3),
        "cache_hits": round(best["hits"]),
        "cache_hit_breakdown": {
            "py_with_options_per_s": round(best["hits"]),
            "py_no_options_per_s": round(best["hits_no_options"]),
            "core_rust_loop_per_s": round(best["hits_core"]),
            "empty_native_call_per_s": round(best["empty"]),
            "ns_per_hit_py": ns(best["hits"]),
            "ns_per_hit_core": ns(best["hits_core"]),
            "ns_per_empty_native_call": ns(best["empty"]),
            "boundary_share_of_a_hit": round(1 - best["hits"] / best["hits_core"], 3),
        },
        "zipf": {
            "requests": args.zipf_requests,
            "simulated_seconds": args.zipf_requests // 1000,
            "signatures": signatures,
            "signatures_per_request": round(signatures / args.zipf_requests, 4),
            "seconds": round(elapsed, 2),
            "speedup_over_plain": round(plain_time / elapsed, 1),
        },
        "external": external,
        "targets": {
            "many_ratio_at_least_0_9": many_ratio >= 0.9,
            "threads_ratio_at_least_0_9": best["threads"] / (cores * best["single"]) >= 0.9,
            "cache_hits_at_least_300000": best["hits"] >= 300_000,
        },
        "load_average": {"before": load_before, "after": [round(x, 2) for x in os.getloadavg()]},
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
