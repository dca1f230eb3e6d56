#!/usr/bin/env python3
"""Length of the HTTP handlers of `crates/web` (the structure's measure: handlers should stay short): every `async fn`
that takes axum's `State(...)`, from its signature to its closing brace; prints the
count, median, p90, max and the ten longest, so a refactor can be compared."""
import pathlib
import re
import statistics
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "crates/web/src")
rows = []
for f in sorted(root.rglob("*.rs")):
    lines = f.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"\s*(pub(\((crate|super)\))?\s+)?async fn (\w+)", lines[i])
        if not m:
            i += 1
            continue
        # The signature runs to the line that opens the body.
        j = i
        sig = lines[i]
        while "{" not in lines[j] and j + 1 < len(lines):
            j += 1
            sig += lines[j]
        if "State(" not in sig:
            i = j + 1
            continue
        depth = 0
        k = j
        started = False
        while k < len(lines):
            depth += lines[k].count("{") - lines[k].count("}")
            started = started or "{" in lines[k]
            if started and depth <= 0:
                break
            k += 1
        rows.append((k - i + 1, f"{f}:{i + 1}", m.group(4)))
        i = k + 1
if not rows:
    sys.exit("no handlers found")
n = sorted(r[0] for r in rows)
p90 = n[min(len(n) - 1, int(round(0.9 * (len(n) - 1))))]
print(f"handlers: {len(n)}  median: {statistics.median(n):g} lines  p90: {p90} lines  max: {n[-1]} lines")
for length, where, name in sorted(rows, reverse=True)[:10]:
    print(f"  {length:4} {name} ({where})")
