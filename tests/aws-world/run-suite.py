#!/usr/bin/env python3
"""meson entry point: run one test module of the world's suite with unittest; exit 77 (skip)
when moto or boto3 cannot be imported."""

import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    for name in ("boto3", "moto", "werkzeug", "flask"):
        importlib.import_module(name)
except ImportError as e:
    print(f"SKIP: the local AWS world needs moto and boto3 ({e})", file=sys.stderr)
    sys.exit(77)

os.chdir(HERE)
os.execv(sys.executable, [sys.executable, "-m", "unittest", "-v"] + sys.argv[1:])
