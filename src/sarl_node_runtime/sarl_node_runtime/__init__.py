"""How every sarl node process runs and stops (one pattern, so no node dies differently on SIGTERM)."""

from .run import run_until_signal

__all__ = ["run_until_signal"]
