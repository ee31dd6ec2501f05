"""The processes of a session, read from /proc (Linux): which nodes a launcher started, by pid and command.

A test that crashes one node of a running graph needs its pid; the launcher runs in a session of its own
(``PeerProcess``), so its nodes are exactly that session's other members.
"""

from __future__ import annotations

from pathlib import Path


def session_members(session_id: int) -> list[int]:
    """PIDs of the live processes in a session (read from /proc), the session leader excluded."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == session_id:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        state, session = fields[0], int(fields[3])
        if session == session_id and state != "Z":
            members.append(int(entry.name))
    return members


def command_line(pid: int) -> list[str]:
    """The arguments a process was started with (empty once it has exited)."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def find_in_session(session_id: int, executable: str) -> list[int]:
    """PIDs in the session whose program (first argument, or the script a Python interpreter runs) ends
    with ``executable``, e.g. ``lib/sarl_agent/agent``."""
    found = []
    for pid in session_members(session_id):
        args = command_line(pid)
        if any(arg.endswith(executable) for arg in args[:2]):
            found.append(pid)
    return found
