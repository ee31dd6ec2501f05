"""Who may speak for the run: a secret that never travels over DDS, and MACs computed with it."""

from sarl_auth.mac import canonical_bytes, sign, verify
from sarl_auth.secret import SECRET_ENV, SecretError, default_secret_path, load_or_create_secret, load_secret

__all__ = [
    "SECRET_ENV",
    "SecretError",
    "canonical_bytes",
    "default_secret_path",
    "load_or_create_secret",
    "load_secret",
    "sign",
    "verify",
]
