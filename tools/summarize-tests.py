#!/usr/bin/env python3
"""Sum meson's testlog.json files into the last line 'N passed, N failed' (skips counted apart)."""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}

passed = failed = skipped = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = [l for l in f if l.strip()]
    except OSError as e:
        print(f"summarize-tests: {path}: {e}", file=sys.stderr)
        failed += 1
        continue
    for n, line in enumerate(lines, 1):
        try:
            result = json.loads(line).get("result")
        except ValueError:
            # A torn line (two meson runs writing one log) is a result we cannot vouch for.
            print(f"summarize-tests: {path}:{n}: not a JSON result line; counted as failed", file=sys.stderr)
            result = None
        if result in PASSED:
            passed += 1
        elif result in SKIPPED:
            skipped += 1
        else:
            failed += 1

if skipped:
    print(f"({skipped} skipped: their prerequisites are missing on this machine)")
# The last line, as CI reads it.
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
