"""``sarl estop``: usage errors and a missing secret fail before touching ROS (the clear itself: tests/security)."""

from widowx_driver import estop_cli


def test_clear_needs_a_reason(capsys):
    assert estop_cli.main(["clear"]) == 2
    assert "needs --reason" in capsys.readouterr().err


def test_an_unknown_action_is_a_usage_error(capsys):
    assert estop_cli.main(["release"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_clear_without_the_run_secret_says_where_it_looked(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("SARL_SECRET_FILE", str(tmp_path / "missing"))
    assert estop_cli.main(["clear", "--reason", "area clear"]) == 1
    error = capsys.readouterr().err
    assert "cannot clear the e-stop" in error and str(tmp_path / "missing") in error
