#!/usr/bin/env python3
"""Turns tests/vectors/tokens.json into a C include (arrays of structs) so the
C golden-vector test needs no JSON parser. Usage: gen_vectors.py tokens.json out.h

Every string becomes a C literal with octal escapes for anything that is not
printable ASCII (so UTF-8 bytes, quotes, backslashes and control characters
reach the library unchanged)."""
import json
import sys


def c_str(s):
    if s is None:
        return "NULL"
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\?':
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def options(o):
    """Fields of qcdn_sign_options, plus whether the C struct can say it:
    in C a zero expires_in/expires_at means "unset" (the zero-initialised
    struct is the safe default), so an explicit 0 cannot be expressed."""
    expressible = 1
    for k in ("expires_in", "expires_at"):
        if k in o and o[k] == 0:
            expressible = 0
    known = {"expires_in", "expires_at", "not_before", "never_expires", "claims"}
    unknown = set(o) - known
    if unknown:
        sys.exit("gen_vectors.py: unknown option(s) %s; teach the C test about them" % sorted(unknown))
    claims = json.dumps(o["claims"], separators=(",", ":"), ensure_ascii=False) if "claims" in o else None
    return "%d, %dLL, %dLL, %d, %dLL, %d, %s" % (
        expressible,
        o.get("expires_in", 0),
        o.get("expires_at", 0),
        1 if "not_before" in o else 0,
        o.get("not_before", 0),
        1 if o.get("never_expires") else 0,
        c_str(claims),
    )


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    lines = [
        "/* Generated from tests/vectors/tokens.json by tests/c/gen_vectors.py. */",
        "static const struct golden_vector GOLDEN[] = {",
    ]
    for v in doc["vectors"]:
        lines.append(
            "    {%s, %s, %s, %s, %dLL, %s, %s, NULL},"
            % (c_str(v["name"]), c_str(v["key_file"]), c_str(v["kid"]), c_str(v["uri"]), v["now"],
               options(v["options"]), c_str(v["token"]))
        )
    lines.append("};")
    lines.append("static const struct golden_vector INVALID[] = {")
    for v in doc["invalid"]:
        lines.append(
            "    {%s, %s, %s, %s, %dLL, %s, NULL, %s},"
            % (c_str(v["name"]), c_str(v["key_file"]), c_str(v["kid"]), c_str(v["uri"]), v["now"],
               options(v["options"]), c_str(v["code"]))
        )
    lines.append("};")
    with open(dst, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
