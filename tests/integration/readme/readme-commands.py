#!/usr/bin/env python3
"""The commands README.md and bench/*/README* give work as written, as far as the build can tell without
running a benchmark: every `meson compile -C build X` names exactly one target of this build (meson 1.0
stops with "ambiguous name" when an executable and a run target share X), every build/... program they run
is a target's output, and every script they run exists.

    readme-commands.py --meson MESON --source-root DIR --build-root DIR"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

COMPILE = re.compile(r"meson compile -C build ([A-Za-z0-9_./:-]+)")
BUILT = re.compile(r"(?<![\w/.-])build/([A-Za-z0-9_./-]+)")
SCRIPT = re.compile(r"python3 ((?:bench|tools|tests)/[A-Za-z0-9_./-]+\.py)")


def documents(source_root):
    docs = [os.path.join(source_root, "README.md")]
    docs += sorted(glob.glob(os.path.join(source_root, "bench", "*", "README*")))
    return [d for d in docs if os.path.isfile(d)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--meson", required=True)
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    args = ap.parse_args()

    out = subprocess.run([args.meson, "introspect", "--targets", args.build_root], check=True,
                         capture_output=True, text=True).stdout
    targets = json.loads(out)
    by_name = {}
    outputs = set()
    for t in targets:
        by_name.setdefault(t["name"], []).append(t["type"])
        for f in t.get("filename", []):
            outputs.add(os.path.relpath(f, args.build_root))

    failures, checked = [], 0
    for doc in documents(args.source_root):
        rel = os.path.relpath(doc, args.source_root)
        with open(doc, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                where = f"{rel}:{lineno}"
                for name in COMPILE.findall(line):
                    checked += 1
                    kinds = by_name.get(name, [])
                    if not kinds:
                        failures.append(f"{where}: `meson compile -C build {name}`: no target named {name}")
                    elif len(kinds) > 1:
                        failures.append(f"{where}: `meson compile -C build {name}`: ambiguous, {len(kinds)} "
                                        f"targets are named {name} ({', '.join(sorted(kinds))})")
                for path in BUILT.findall(line):
                    path = path.rstrip(".")
                    if path.startswith("meson-") or "/" not in path:
                        continue
                    checked += 1
                    if path not in outputs:
                        failures.append(f"{where}: build/{path} is not an output of any target")
                for script in SCRIPT.findall(line):
                    checked += 1
                    if not os.path.isfile(os.path.join(args.source_root, script)):
                        failures.append(f"{where}: {script} does not exist")

    for f in failures:
        print(f, file=sys.stderr)
    print(f"readme-commands: {checked} references checked, {len(failures)} broken")
    if checked == 0:
        print("readme-commands: no command found: the patterns no longer match the READMEs", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
