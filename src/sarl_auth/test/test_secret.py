"""The secret file: created private, refused when shared, missing or short, with the fix in the message."""

import os

import pytest
from sarl_auth import SECRET_ENV, SecretError, default_secret_path, load_or_create_secret, load_secret


def test_created_once_private_and_stable(tmp_path):
    path = tmp_path / "sub" / "secret"
    first = load_or_create_secret(path)
    assert len(first) == 32
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert load_or_create_secret(path) == first == load_secret(path)


def test_missing_file_names_the_fix(tmp_path):
    with pytest.raises(SecretError, match=r"no run secret at .*sarl secret init"):
        load_secret(tmp_path / "absent")


def test_a_file_other_users_can_read_is_refused(tmp_path):
    path = tmp_path / "secret"
    load_or_create_secret(path)
    path.chmod(0o644)
    with pytest.raises(SecretError, match="readable by other users"):
        load_secret(path)


@pytest.mark.parametrize(("text", "match"), [("zz", "not hex"), ("abcd", "at least 16")])
def test_malformed_secret_is_refused(tmp_path, text, match):
    path = tmp_path / "secret"
    path.write_text(text)
    path.chmod(0o600)
    with pytest.raises(SecretError, match=match):
        load_secret(path)


def test_environment_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, str(tmp_path / "s"))
    assert default_secret_path() == tmp_path / "s"
