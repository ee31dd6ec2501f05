"""End a node process once run_until_signal has stopped it, without Python's interpreter finalization.

Why: a node may still have daemon threads inside rclpy when it exits (the agent's episode
thread waiting on a goal that will never finish once the executor is down). Python freezes
such threads during finalization while its garbage collector destroys rclpy's C objects;
when a frozen thread holds a lock those destructors need, the process hangs until launch
escalates to SIGTERM and SIGKILL ("failed to terminate", "process has died" on a normal
Ctrl-C). By the time this runs everything that matters is done: goals ended, the arm held,
the bag closed and fsynced, the ROS context (and its log files) shut down. Only the output
buffers are left, and they are flushed here.
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from typing import NoReturn


def exit_process(code: int) -> NoReturn:
    """Flush every output buffer, then end the process with ``code`` at once."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken pipe (the launcher is gone): nothing left to save
    try:
        ctypes.CDLL(None).fflush(None)  # C stdio (rcutils console output)
    except (OSError, AttributeError):
        pass
    os._exit(code)
