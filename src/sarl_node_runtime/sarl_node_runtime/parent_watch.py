"""Notice that the process which started this node (``ros2 launch``, the local launcher) is gone.

Why: SIGTERM or SIGKILL to ``ros2 launch`` ends launch at once and leaves its nodes
running (ros2/launch#666); an orphaned driver or agent would go on commanding the arm
with nobody to stop it. The node itself must notice and stop as on SIGINT.

How: the parent's pid is recorded when this module is first imported (every node
imports it at start-up); when the parent dies the kernel re-parents the node to init
or to a subreaper (``docker run --init``), so ``os.getppid()`` changes. Why not
``prctl(PR_SET_PDEATHSIG)`` set by the node on itself: its "parent" is the *thread*
that forked it, so a launcher or test harness that starts processes from a worker
thread would kill its nodes when that thread ends. The launchers this project owns
(``sarl_bringup.local_launch``) still set it from their main thread, as a second line.
No ROS here.
"""

from __future__ import annotations

import os

_PARENT_AT_START = os.getppid()


class ParentWatch:
    """Answers "has the process that started me gone away?" (cheap: one system call)."""

    def __init__(self, parent_pid: int | None = None) -> None:
        self.parent_pid = _PARENT_AT_START if parent_pid is None else parent_pid
        """The launcher's pid as seen at start-up."""

    def parent_gone(self) -> bool:
        return os.getppid() != self.parent_pid
