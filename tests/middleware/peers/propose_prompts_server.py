"""Peer process: a ProposePrompts server whose answer depends on every request field."""

import sys

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from sarl_node_runtime import run_until_signal
from sarl_interfaces.srv import ProposePrompts


class Proposer(Node):
    def __init__(self) -> None:
        super().__init__("propose_prompts_peer")
        self.create_service(ProposePrompts, "propose_prompts", self._propose)

    def _propose(self, request, response):
        objects = [word for word in request.task.split() if word not in ("move", "the", "to")]
        prompts = [f"pick up the {name}" for name in objects]
        response.prompts = [p for p in prompts if p not in request.history][: request.max_candidates or None]
        response.success = True
        response.from_cache = False
        response.error = f"image bytes: {len(request.image.data)}"
        return response


def main() -> None:
    rclpy.init(args=sys.argv, signal_handler_options=SignalHandlerOptions.NO)  # --ros-args -r __ns:=...
    node = Proposer()
    run_until_signal(node, SingleThreadedExecutor())


if __name__ == "__main__":
    main()
