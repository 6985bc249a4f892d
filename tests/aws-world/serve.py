#!/usr/bin/env python3
"""Run the local AWS world in the foreground: `serve.py [--port N] [--auth]`.

Prints `READY http://127.0.0.1:PORT` once it accepts requests; stops cleanly on SIGTERM/SIGINT.
"""

import argparse
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description="local AWS world (moto + AWS Backup)")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = free)")
    parser.add_argument("--auth", action="store_true",
                        help="check SigV4 signatures against credentials the world issues")
    args = parser.parse_args()

    from world_server import WorldApp, WorldServer

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    app = WorldApp(auth=args.auth)
    server = WorldServer(app, args.port)
    server.start()
    print(f"READY {server.url}", flush=True)
    while not stop.wait(3600):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
