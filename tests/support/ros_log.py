"""When a node said something, on the node's own clock: the stamps of ROS console log lines.

rcutils prints ``[SEVERITY] [<seconds since the epoch>] [<logger>]: <message>`` (the default
``RCUTILS_CONSOLE_OUTPUT_FORMAT``); the stamp is taken by the node when it logs, so a latency read from it
excludes however long the test process took to notice. Same clock as ``time.time()`` on this machine.
A prefix before the line (``local_launch`` prints ``[<node>] `` first) is allowed.
"""

from __future__ import annotations

import re

_LINE = re.compile(r"\[(?P<severity>[A-Z]+)\] \[(?P<stamp>\d+\.\d+)\] \[(?P<logger>[^\]]+)\]: (?P<message>.*)$",
                   re.MULTILINE)


def log_stamps(text: str, logger: str, message: str) -> list[float]:
    """Stamps [s since the epoch] of the lines of ``logger`` (exact name, e.g. ``fault.vla_bridge``) whose
    message matches the regular expression ``message``, in the order they appear."""
    pattern = re.compile(message)
    return [float(m["stamp"]) for m in _LINE.finditer(text) if m["logger"] == logger and pattern.search(m["message"])]
