#!/usr/bin/env python3
"""Reads a valgrind log of a Mono process and counts the reports that are
ours: definitely/indirectly lost blocks and invalid accesses whose stack holds
a frame of libqencode_cdn. Mono's own allocations at exit are not counted,
nor blocks that the Mono runtime itself allocated (the frame right after the
allocator is in mono-sgen) while it ran a managed external-signer callback
that libqencode_cdn had called, one block per record: those are the
runtime's, made once per method it compiles, and their stack holds our frame
only because the callback runs inside our call. The number of such runtime blocks is printed to stderr.
Usage: check.py VALGRIND_LOG  (prints the count and the first such report)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
reports = re.split(r"\n==\d+== \n", text)
FRAME = re.compile(r"==\d+==\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*)")


def allocated_by_mono(report):
    frames = [m.group(1) for m in FRAME.finditer(report)]
    # frames[0] is valgrind's malloc/calloc/realloc; the next one made the call.
    return len(frames) > 1 and "vgpreload" in frames[0] and ("mono-sgen" in frames[1] or "libmono" in frames[1])


candidates = [r for r in reports
              if re.search(r"are (definitely|indirectly) lost|Invalid (read|write|free)|uninitialised", r)
              and "libqencode_cdn" in r]
# One block each (a method compiled once); a runtime block lost per call would be counted.
runtime = [r for r in candidates if re.search(r"bytes in 1 blocks are (definitely|indirectly) lost", r) and allocated_by_mono(r)]
ours = [r for r in candidates if r not in runtime]
print(len(ours))
sys.stderr.write("%d blocks allocated by the Mono runtime inside a managed callback (not counted)\n" % len(runtime))
if ours:
    sys.stderr.write(ours[0][:4000] + "\n")
