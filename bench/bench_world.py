"""What the benches that run the agent against the local AWS world (bench/cycle, bench/reconcile) share:
their command line's agent and fleet size, the world (tests/aws-world) and the agent's environment."""

import argparse
import logging
import os
import sys

REGION = "us-east-1"
SRC = os.environ.get("MESON_SOURCE_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def fleet_arguments():
    """A parser for the agent binary, then N clusters and M snapshots each (1000 x 20); the bench adds
    its own options."""
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("clusters", type=int, nargs="?", default=1000)
    ap.add_argument("snapshots", type=int, nargs="?", default=20)
    return ap


def world():
    """A local AWS world to start with `with`; its HTTP server's request lines kept off the bench's output."""
    sys.path.insert(0, os.path.join(SRC, "tests", "aws-world"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from aws_world import World

    return World()


def agent_env(w, **extra):
    """The agent's environment against world `w`, with keys the world does not check."""
    return dict(os.environ, AWS_ENDPOINT_URL=w.url, AWS_ACCESS_KEY_ID="AKIDBENCH",
                AWS_SECRET_ACCESS_KEY="bench-secret", AWS_REGION=REGION, **extra)
