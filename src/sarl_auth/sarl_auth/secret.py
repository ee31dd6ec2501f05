"""The run secret: a file only the robot PC's user can read, never sent over DDS.

Why a file: every process of one deployment (the launched nodes, the operator's
rqt, the offline readers) runs as the same user on the robot PC, while any other
peer on the DDS domain does not. The path comes from ``$SARL_SECRET_FILE`` or
defaults to ``~/.config/sarl/secret``; the launchers create it on first use.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_ENV = "SARL_SECRET_FILE"
SECRET_BYTES = 32
MIN_SECRET_BYTES = 16


class SecretError(RuntimeError):
    """The secret file is missing, unreadable, too short, or readable by other users."""


def default_secret_path() -> Path:
    """``$SARL_SECRET_FILE`` if set, else ``~/.config/sarl/secret``."""
    configured = os.environ.get(SECRET_ENV, "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".config" / "sarl" / "secret"


def load_secret(path: str | os.PathLike[str] | None = None) -> bytes:
    """The secret bytes (hex-encoded in the file); raises :class:`SecretError` naming the file and the fix."""
    path = Path(path).expanduser() if path else default_secret_path()
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise SecretError(
            f"no run secret at {path}: start the graph with its launcher (it creates one), or run "
            f"`sarl secret init`, and point every process at the same file with ${SECRET_ENV}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SecretError(f"cannot read the run secret {path}: {error}") from None
    if mode & 0o077:
        raise SecretError(f"the run secret {path} is readable by other users (mode {mode & 0o777:o}): chmod 600 it")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise SecretError(f"the run secret {path} is not hex text") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise SecretError(f"the run secret {path} has {len(secret)} bytes; at least {MIN_SECRET_BYTES} are needed")
    return secret


def load_or_create_secret(path: str | os.PathLike[str] | None = None) -> bytes:
    """Load the secret, creating it (mode 600, parent 700) if it does not exist yet."""
    path = Path(path).expanduser() if path else default_secret_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_secret(path)  # another process created it first
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(SECRET_BYTES) + "\n")
    return load_secret(path)
