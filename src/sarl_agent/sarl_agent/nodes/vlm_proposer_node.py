"""``vlm_proposer`` node: the ``propose_prompts`` service over the ROS-free proposer.

The service always answers: errors go into ``error``; ``success`` is true
only when the configured backend itself answered, and ``vlm_state`` says
whether the VLM is ok, degraded, down or not used (the agent forwards
``error`` to its EpisodeStatus message, so the operator sees "VLM DOWN"). The callback may block for
a VLM HTTP call ((retries + 1) * timeout at worst), so it runs in its own
mutually exclusive callback group under a MultiThreadedExecutor — never in a
timer, and never sharing a group with anything that must stay responsive.
Requests are served one at a time, which also keeps cache admission in
arrival order.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import fields
from typing import Any

import cv2
import numpy as np
import rclpy
from sarl_node_runtime import exit_process, run_until_signal
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions
from sarl_interfaces.srv import ProposePrompts
from std_msgs.msg import Float32MultiArray

from ..proposer import ProposerConfig, build_proposer
from ..proposer.base import ProposerError


def jpeg_bytes(image_format: str, data: bytes) -> bytes | None:
    """JPEG bytes for the VLM from a CompressedImage (re-encoded when it is PNG etc.); None when empty."""
    if not data:
        return None
    if "jpeg" in image_format.lower() or "jpg" in image_format.lower():
        return data
    frame = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if frame is None:
        raise ValueError(f"cannot decode a {image_format!r} image of {len(data)} bytes")
    ok, encoded = cv2.imencode(".jpg", frame)
    if not ok:
        raise ValueError("JPEG re-encoding failed")
    return encoded.tobytes()


class LatestScene:
    """The newest scene layout from ``scene_topic``, for the 'scene' backend (thread-safe)."""

    def __init__(self, topic: str) -> None:
        self._topic = topic
        self._lock = threading.Lock()
        self._scene: np.ndarray | None = None

    def set(self, msg: Float32MultiArray) -> None:
        shape = [d.size for d in msg.layout.dim]
        with self._lock:
            self._scene = np.asarray(msg.data, dtype=np.float32).reshape(shape)

    def __call__(self) -> np.ndarray:
        with self._lock:
            if self._scene is None:
                raise ProposerError(f"no scene on {self._topic!r} yet (is the simulator driver running?)")
            return self._scene


class VlmProposerNode(Node):
    """Answers ``propose_prompts`` from a cache-wrapped Gemini, offline or scene-aware proposer."""

    def __init__(self, **node_kwargs: Any) -> None:
        super().__init__("vlm_proposer", **node_kwargs)
        self._config = self._read_config()
        scene = None
        if self._config.backend == "scene":
            scene = LatestScene(self._config.scene_topic)
            latest_only = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE)
            self.create_subscription(Float32MultiArray, self._config.scene_topic, scene.set, latest_only)
        self._proposer = build_proposer(self._config, scene_source=scene, log=self.get_logger().warning)
        self.create_service(
            ProposePrompts,
            "propose_prompts",
            self._propose_callback,
            callback_group=MutuallyExclusiveCallbackGroup(),
        )
        cache = self._proposer.cache
        self.get_logger().info(
            f"ready: backend {self._config.backend}"
            + (f" ({self._gemini_summary()})" if self._config.backend == "gemini" else "")
            + f", prompt cache {len(cache) - 1}/{cache.capacity - 1} prompts"
            + (f" from {self._config.prompt_cache_file}" if self._config.prompt_cache_file else "")
        )

    def _gemini_summary(self) -> str:
        settings = self._config.gemini_settings()
        thinking = settings.thinking() or {"thinking": "model default"}
        return (f"{settings.model}, {', '.join(f'{k} {v}' for k, v in thinking.items())}, "
                f"temperature {settings.effective_temperature:g}, timeout {settings.timeout:g} s, "
                f"worst case {self._config.worst_case:g} s per call")

    def _read_config(self) -> ProposerConfig:
        defaults = ProposerConfig()
        values = {}
        for field in fields(ProposerConfig):
            default = getattr(defaults, field.name)
            if isinstance(default, tuple):
                # A list default with dynamic typing, as the agent does: an empty list is typed as a byte array,
                # which would refuse real_widowx.yaml's string lists, and a type without a value leaves the
                # parameter unset, which `ros2 param dump` cannot print (it then dumps nothing for the node).
                descriptor = ParameterDescriptor(read_only=True, dynamic_typing=True)
                value = self.declare_parameter(field.name, list(default), descriptor).value
                values[field.name] = list(value) if isinstance(value, (list, tuple)) else value
            else:
                descriptor = ParameterDescriptor(read_only=True)
                values[field.name] = self.declare_parameter(field.name, default, descriptor).value
        return ProposerConfig.from_mapping(values)

    def _propose_callback(
        self, request: ProposePrompts.Request, response: ProposePrompts.Response
    ) -> ProposePrompts.Response:
        notes = []
        try:
            image = jpeg_bytes(request.image.format, bytes(request.image.data))
        except ValueError as exc:
            image, notes = None, [f"image ignored: {exc}"]
        count = int(request.max_candidates) or self._config.default_max_candidates
        try:
            proposal = self._proposer.propose(request.task, image, list(request.history), count)
        except Exception as exc:  # a bug must yield an answer, not a dead service
            self.get_logger().error(f"proposer failed: {type(exc).__name__}: {exc}")
            response.success, response.error = False, f"proposer error: {type(exc).__name__}: {exc}"
            response.vlm_state = "degraded"
            return response
        if proposal.error:
            notes.append(proposal.error)
        response.prompts = list(proposal.prompts)
        response.from_cache = proposal.from_cache
        response.vlm_state = proposal.vlm_state
        response.success = bool(proposal.prompts) and proposal.vlm_state in ("ok", "offline")
        response.error = "; ".join(notes)
        if proposal.vlm_state == "down":
            self.get_logger().error(f"propose_prompts for {request.task!r}: {response.error}")
        elif response.error:
            self.get_logger().warning(f"propose_prompts for {request.task!r}: {response.error}")
        return response


def main(args: list[str] | None = None) -> int:
    """Spin until SIGTERM/SIGINT; a request being answered is finished (bounded) before exiting with 0."""
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = VlmProposerNode()
    except ValueError as exc:
        rclpy.logging.get_logger("vlm_proposer").fatal(f"invalid configuration: {exc}")
        rclpy.try_shutdown()
        return 2
    run_until_signal(node, MultiThreadedExecutor(num_threads=2))
    exit_process(0)


if __name__ == "__main__":
    sys.exit(main())
