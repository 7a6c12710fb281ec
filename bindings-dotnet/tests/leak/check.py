#!/usr/bin/env python3
"""Reads a valgrind log of a Mono process and counts the reports that are
ours: definitely/indirectly lost blocks and invalid accesses whose stack holds
a frame of libqencode_cdn. Mono's own allocations at exit are not counted.
Usage: check.py VALGRIND_LOG  (prints the count and the first such report)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
reports = re.split(r"\n==\d+== \n", text)
ours = [r for r in reports
        if re.search(r"are (definitely|indirectly) lost|Invalid (read|write|free)|uninitialised", r)
        and "libqencode_cdn" in r]
print(len(ours))
if ours:
    sys.stderr.write(ours[0][:4000] + "\n")
