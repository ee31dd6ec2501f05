"""A lock that says "a live writer owns this bag", released by the kernel when the writer dies.

Why: recovery rewrites an unfinished bag file and renames it over the
original. Doing that to a bag a running recorder still appends to would send
its next (acknowledged!) messages into an unlinked file. ``flock`` on a file in
the bag directory is held for the writer's lifetime and dropped automatically
on any exit, SIGKILL included, so "unfinished and unlocked" reliably means
"its writer is gone".
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from pathlib import Path

LOCK_FILE = ".sarl_writer.lock"


class BagLocked(RuntimeError):
    """Another live process writes this bag."""


class WriterLock:
    """Exclusive, non-blocking ``flock`` on ``<bag_dir>/.sarl_writer.lock``."""

    def __init__(self, bag_dir: Path) -> None:
        self.path = Path(bag_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _read_owner(fd)
            os.close(fd)
            raise BagLocked(f"{self.path.parent} is being written by a live process ({owner})") from None
        self._fd = fd  # set first: a failed owner write (disk full) must still release the lock
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())

    def release(self, remove: bool = True) -> None:
        """Drop the lock; ``remove`` deletes the file (a finished bag keeps no lock file)."""
        if self._fd is None:
            return
        if remove:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_owner(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown owner"
    except OSError:
        return "unknown owner"


def is_locked(bag_dir: Path) -> bool:
    """True while a live writer holds the bag's lock (probes without taking it over)."""
    path = Path(bag_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing also drops the probe's own lock
    return False
