"""How every sarl node process runs and stops (one pattern, so no node dies differently on SIGTERM)."""

from .parent_watch import ParentWatch
from .process_exit import exit_process
from .run import run_until_signal

__all__ = ["ParentWatch", "exit_process", "run_until_signal"]
