#!/usr/bin/env python3
"""Extracts the examples of docs/java.md: every ```java block (a complete
program, named by its `public class`) into OUT_DIR/<Class>.java, and the
```output block that follows it into OUT_DIR/<Class>.out. Prints the class
names. Used by tests/suites/50-java.sh, which compiles and runs each one
against the packaged jar alone and compares its output.

Usage: docs_examples.py docs/java.md OUT_DIR"""
import os
import re
import sys

doc, out = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
blocks = re.findall(r"```(java|output)\n(.*?)```", text, re.S)
os.makedirs(out, exist_ok=True)
names = []
for i, (kind, body) in enumerate(blocks):
    if kind != "java":
        continue
    m = re.search(r"public class (\w+)", body)
    if not m:
        sys.exit("docs/java.md: a java example without `public class` (every example is a complete program)")
    name = m.group(1)
    if name in names:
        sys.exit("docs/java.md: two examples named " + name)
    names.append(name)
    open(os.path.join(out, name + ".java"), "w", encoding="utf-8").write(body)
    if i + 1 < len(blocks) and blocks[i + 1][0] == "output":
        open(os.path.join(out, name + ".out"), "w", encoding="utf-8").write(blocks[i + 1][1])
if not names:
    sys.exit("docs/java.md has no java examples")
print(" ".join(names))
