"""``sarl``: one command for the things users do, each handled by the package that owns it.

    sarl demo [args]      the simulated graph (local process runner; ros2 launch on a full install)
    sarl eval [args]      evaluation on the simulator (learning curves, tables)
    sarl replay BAGS...   offline Q-updates from rosbags
    sarl inspect BAG      episodes of a bag as a table
    sarl score CKPT...    greedy success of checkpoints on held-out simulator layouts
    sarl cross-check      the same SARL run through the ROS graph and without ROS, compared
    sarl operator         the operator panel without rqt
    sarl doctor           checks a deployment before the first episode
    sarl estop ACTION     engage the e-stop, or clear it with the operator's authority (--reason)
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "demo": "sarl_bringup.local_launch",
    "eval": "sarl_eval.cli",
    "replay": "sarl_agent.replay",
    "inspect": "sarl_agent.bag.inspect",
    "score": "sarl_eval.checkpoint_eval",
    "cross-check": "sarl_eval.cross_check",
    "operator": "rqt_sarl_operator.standalone",
    "doctor": "sarl_bringup.doctor",
    "estop": "widowx_driver.estop_cli",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print(__doc__)
        return 0 if not args or args[0] in ("-h", "--help") else 2
    module = importlib.import_module(COMMANDS[args[0]])
    sys.argv = [f"sarl {args[0]}", *args[1:]]
    result = module.main(args[1:]) if _takes_argv(module.main) else module.main()
    return int(result or 0)


def _takes_argv(function) -> bool:
    import inspect

    return bool(inspect.signature(function).parameters)


if __name__ == "__main__":
    sys.exit(main())
