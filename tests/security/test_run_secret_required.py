"""Without the run secret the agent and the recorder do not start, and say what to do."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ament_index_python.packages import get_package_prefix


def test_the_agent_and_the_recorder_refuse_to_start_without_the_run_secret_naming_the_file(tmp_path):
    missing = tmp_path / "no-secret-here"
    lib = Path(get_package_prefix("sarl_agent")) / "lib" / "sarl_agent"
    commands = {
        "recorder": [str(lib / "recorder"), "--ros-args", "-p", f"bag_dir:={tmp_path / 'bags'}"],
        "agent": [str(lib / "agent"), "--ros-args", "-p", f"output_dir:={tmp_path / 'runs'}"],
    }
    env = dict(os.environ, SARL_SECRET_FILE=str(missing))
    started = {name: subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for name, command in commands.items()}  # both at once: the agent's start-up (torch) dominates
    for name, process in started.items():
        output, _ = process.communicate(timeout=120)
        assert process.returncode == 2, f"{name}: {output}"
        assert "cannot start without the run secret" in output and str(missing) in output, f"{name}: {output}"
    assert not (tmp_path / "bags").exists() and not (tmp_path / "runs").exists()
