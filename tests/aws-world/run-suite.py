#!/usr/bin/env python3
"""meson entry point: run one test module of the world's suite with unittest; exit 77 (skip)
when moto or boto3 cannot be imported."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import boto3  # noqa: F401
    import moto  # noqa: F401
    import werkzeug  # noqa: F401
except ImportError as e:
    print(f"SKIP: the local AWS world needs moto and boto3 ({e})", file=sys.stderr)
    sys.exit(77)

os.chdir(HERE)
os.execv(sys.executable, [sys.executable, "-m", "unittest", "-v"] + sys.argv[1:])
