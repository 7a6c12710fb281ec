"""Signs every golden vector of tests/conformance/sign.json (the `sign` cases
with an expected token and options that have a flag) with a `qcdn` binary and
compares each token byte for byte. Prints the tokens to --out, one per line,
so two binaries (x86_64, aarch64 under qemu) can be compared too.

Usage: python3 cli-vectors.py REPO_ROOT OUT_FILE QCDN [WRAPPER_ARGS...]
  e.g. cli-vectors.py . x86.txt ./qcdn
       cli-vectors.py . arm.txt qemu-aarch64-static ./qcdn-aarch64
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

root, out, cmd = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
flags = {"now": "--now", "expires_in": "--ttl", "expires_at": "--expires-at", "not_before": "--not-before"}
env = {k: v for k, v in os.environ.items() if not k.startswith("QENCODE_")}
passed, failed, lines, skipped = 0, 0, [], []
with tempfile.TemporaryDirectory() as tmp:
    for case in json.loads((root / "tests/conformance/sign.json").read_text())["cases"]:
        opts, want = case["input"].get("options") or {}, case["expect"].get("token")
        if not want or any(v is None for v in opts.values()):
            continue
        args = ["token", "sign", "--key-id", case["input"]["signer"]["kid"],
                "--key", str(root / case["input"]["signer"]["key"]), f"--uri={case['input']['uri']}"]
        ok = True
        for k, v in opts.items():
            if k in flags and isinstance(v, int) and not isinstance(v, bool):
                args.append(f"{flags[k]}={v}")
            elif k == "never_expires" and v is True:
                args.append("--no-expiry")
            elif k == "never_expires" and v is False:
                pass
            elif k == "claims" and isinstance(v, dict):
                f = pathlib.Path(tmp, f"claims-{passed + failed}.json")
                f.write_text(json.dumps(v))
                args += ["--claims-json", str(f)]
            else:
                ok = False
                skipped.append(f"{case['name']} (option {k}={json.dumps(v)} has no qcdn flag)")
        if not ok:
            continue
        run = subprocess.run(cmd + args, capture_output=True, text=True, env=env)
        got = run.stdout.strip()
        lines.append(f"{case['name']} {got}")
        if run.returncode == 0 and got == want:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {case['name']}: exit {run.returncode}\n  got  {got}\n  want {want}\n  {run.stderr.strip()}")
pathlib.Path(out).write_text("\n".join(lines) + "\n")
for s in skipped:
    print(f"not run through the CLI: {s}")
print(f"golden vectors ({' '.join(cmd)}): {passed} passed, {failed} failed, {len(skipped)} not expressible as flags")
sys.exit(1 if failed or passed < 10 else 0)
