#!/usr/bin/env python3
"""Include cycles between the modules of a C source tree (issue 11 item 6: a layer is a DAG).

A module is a file pair `foo.c`/`foo.h`; a header `foo-internal.h` is `foo`'s private header and belongs
to module `foo` (systemd's convention, used here by agent-internal.h and control-internal.h). Module A
depends on module B when any file of A has `#include "b.h"` (quoted includes only; a name is looked up
in the including file's directory, then in the other scanned directories, and ignored if not found:
build-config.h, system headers). A file including its own module's header is not an edge.

    include-graph.py [--report-only DIR]... DIR...

Every DIR (not recursive) is scanned and its cycles fail the check (exit 1); --report-only DIRs are
scanned too, and their cycles are printed as information only (the check still passes). Each cycle is
printed as a chain of modules with the #include line that makes each step. --dot prints the module
graph of the failing directories in Graphviz syntax instead."""

import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def module_of(path, present):
    """The module (directory/stem) that a .c or .h file belongs to."""
    d, name = os.path.split(path)
    stem = os.path.splitext(name)[0]
    if stem.endswith("-internal"):
        owner = os.path.join(d, stem[: -len("-internal")])
        if owner in present:
            return owner
    return os.path.join(d, stem)


def scan(dirs):
    files = []
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                files.append(os.path.normpath(os.path.join(d, name)))
    stems = {os.path.splitext(f)[0] for f in files}
    by_name = {}
    for f in files:
        by_name.setdefault(os.path.basename(f), []).append(f)

    def resolve(includer, name):
        local = os.path.normpath(os.path.join(os.path.dirname(includer), name))
        if local in by_name.get(os.path.basename(name), []):
            return local
        found = by_name.get(os.path.basename(name), [])
        return found[0] if len(found) == 1 else None

    edges = {}  # module -> {module: "file:line: #include ..."}
    for f in files:
        src = module_of(f, stems)
        edges.setdefault(src, {})
        with open(f, encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                target = resolve(f, m.group(1))
                if not target:
                    continue
                dst = module_of(target, stems)
                if dst != src:
                    edges[src].setdefault(dst, f"{f}:{lineno}: {line.strip()}")
                edges.setdefault(dst, {})
    return edges


def strongly_connected(edges):
    """Tarjan's algorithm, iterative: the components with more than one module."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def one_cycle(edges, comp):
    """A shortest cycle through the component's first module (breadth-first inside the component)."""
    members = set(comp)
    start = comp[0]
    prev = {start: None}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges[v]):
            if w not in members:
                continue
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return list(reversed(path)) + [start]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return [start]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", help="directories whose cycles fail the check")
    ap.add_argument("--report-only", action="append", default=[], metavar="DIR",
                    help="directories whose cycles are only reported")
    ap.add_argument("--dot", action="store_true", help="print the module graph (Graphviz) and exit")
    a = ap.parse_args()

    failing = [os.path.normpath(d) for d in a.dirs]
    informational = [os.path.normpath(d) for d in a.report_only if os.path.normpath(d) not in failing]
    for d in failing + informational:
        if not os.path.isdir(d):
            print(f"include-graph: {d}: not a directory", file=sys.stderr)
            return 2
    edges = scan(failing + informational)

    if a.dot:
        print("digraph includes {")
        for v in sorted(edges):
            if os.path.dirname(v) in failing:
                for w in sorted(edges[v]):
                    print(f'  "{os.path.basename(v)}" -> "{os.path.basename(w)}";')
        print("}")
        return 0

    bad = 0
    for comp in strongly_connected(edges):
        fatal = any(os.path.dirname(m) in failing for m in comp)
        cycle = one_cycle(edges, comp)
        label = "cycle" if fatal else "cycle (information, not checked yet)"
        print(f"{label}: {' -> '.join(cycle)}")
        if len(comp) > len(cycle) - 1:
            print(f"  (one of the cycles among {', '.join(comp)})")
        for v, w in zip(cycle, cycle[1:]):
            print(f"  {edges[v][w]}")
        bad += fatal
    n_mod = sum(1 for v in edges if os.path.dirname(v) in failing)
    if bad:
        print(f"include-graph: {bad} include cycle(s) in {', '.join(failing)}")
        return 1
    print(f"include-graph: no include cycle among the {n_mod} modules of {', '.join(failing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
