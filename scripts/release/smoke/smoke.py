"""Release smoke test of the installed Python wheel: every golden sign vector
(tests/conformance/sign.json cases with a token and plain options), verify,
a URL, the bundled emulator and one client call.

Usage: python smoke.py REPO_ROOT
"""

import json
import pathlib
import sys

import qencode_cdn as q
from qencode_cdn.testing import Emulator

root = pathlib.Path(sys.argv[1])
assert "site-packages" in q.__file__, f"qencode_cdn imported from {q.__file__}, not an installed wheel"
cases = json.loads((root / "tests/conformance/sign.json").read_text())["cases"]
plain = {"now", "expires_in", "expires_at", "not_before", "claims", "never_expires"}
golden = 0
for case in cases:
    opts, want = case["input"].get("options") or {}, case["expect"].get("token")
    if not want or not set(opts) <= plain or any(v is None for v in opts.values()):
        continue
    signer = q.Signer(case["input"]["signer"]["kid"], (root / case["input"]["signer"]["key"]).read_text())
    got = signer.sign(case["input"]["uri"], **opts)
    assert got == want, f"{case['name']}: {got} != {want}"
    golden += 1
assert golden >= 10, f"only {golden} golden vectors"

signer = q.Signer("key-1", (root / "tests/keys/rsa2048.pkcs1.pem").read_text())
token = signer.sign("abc123")
assert q.Verifier.from_signer(signer).verify(token)["uri"] == "abc123"
url = q.storage_url("my-bucket", "us-west", "videos/a b.mp4", token=token)
assert url.startswith("https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4?auth="), url
with Emulator() as emu, emu.client() as client:
    assert client.create_domain("live.example.com", "live").type == "live"
print(f"smoke (Python {sys.version.split()[0]}, qencode_cdn from {pathlib.Path(q.__file__).parent}):"
      f" {golden} golden tokens, verify, URL, emulator + client call: ok")
