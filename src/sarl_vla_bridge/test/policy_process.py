"""A policy server *process* for the fault test (so it can be SIGKILLed): the simulator's
openpi-protocol server around a constant chunk. Prints ``listening on ws://HOST:PORT`` when ready.
"""

from __future__ import annotations

import argparse
import asyncio

import numpy as np
from sarl_sim.policy_server import PolicyServer

ROWS = np.tile(np.array([0.001, 0, 0, 0, 0, 0, 1.0], dtype=np.float32), (10, 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = PolicyServer(lambda obs: {"actions": ROWS}, host="127.0.0.1", port=args.port)
    asyncio.run(server.run(on_ready=lambda port: print(f"listening on ws://127.0.0.1:{port}", flush=True)))


if __name__ == "__main__":
    main()
