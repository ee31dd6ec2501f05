"""The driver's parameters: one frozen, validated dataclass built from ROS parameters in one place.

Why here and not in the node: every parameter is checked once, when the node
configures, with an error that names the key and says what is allowed; the
node declares exactly these fields with exactly these defaults, so the two
can never disagree. Ints widen to floats (``control_rate_hz: 20`` in YAML is
fine); anything else of the wrong type is refused.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from widowx_driver.command_admission import AdmissionRules
from widowx_driver.joint_admission import JointLimits
from widowx_driver.safety_envelope import BRIDGE_WORKSPACE_MAX, BRIDGE_WORKSPACE_MIN, EnvelopeConfig

BACKENDS = ("sim", "interbotix")
SIM_WORLDS = ("kinematic", "physics")
"""Worlds the ``sim`` backend can drive (``sim_world``)."""
DEFAULT_CONTROL_RATE_HZ = {"sim": 20.0, "interbotix": 5.0}
"""Rate of the state/image publication and watchdog tick when ``control_rate_hz`` is 0."""
COMMAND_SOURCES = {"vla": 1, "reset": 2, "operator": 3}
"""``command_sources`` names → ArmCommand.SOURCE_* values (a test checks they match the message)."""


@dataclass(frozen=True)
class DriverConfig:
    """Parameters of the ``widowx_driver`` node (names are the ROS parameter names)."""

    backend: str = "sim"
    """Which arm: ``sim`` (built-in simulator) or ``interbotix`` (real WidowX 250 via interbotix_xs_modules)."""
    sim_world: str = "kinematic"
    """Which world the ``sim`` backend drives: ``kinematic`` (sarl_sim's tabletop: end-effector pose as joints,
    snapping grasps, the sim/* scene services; fast) or ``physics`` (MuJoCo wx250s: IK, real joints and joint
    commands, friction grasps, rendered cameras; no sim/* services yet). Sim only."""
    robot_model: str = "wx250s"
    """Interbotix robot model (``wx250s`` = WidowX 250 6-DoF); interbotix backend only."""
    control_rate_hz: float = 0.0
    """[Hz] rate of arm_state/joint_states/image publication and of the watchdog tick; 0 = backend default
    (sim 20, interbotix 5). Arm commands are applied when they arrive; joint commands at this rate (the newest)."""
    watchdog_timeout: float = 1.0
    """[s] with no command for this long the arm is held and ``holding`` is set in arm_state."""
    workspace_min: tuple[float, ...] = BRIDGE_WORKSPACE_MIN
    """[m] lower corner (x, y, z) of the box the end effector is kept in (robot base frame)."""
    workspace_max: tuple[float, ...] = BRIDGE_WORKSPACE_MAX
    """[m] upper corner (x, y, z) of that box."""
    max_translation_step: float = 0.05
    """[m] largest translation per command and axis; larger deltas are clipped."""
    max_rotation_step: float = 0.25
    """[rad] largest rotation per command and axis; larger deltas are clipped."""
    max_joint_step: float = 0.1
    """[rad] largest change of any arm joint from the measured joints per joint_command; larger ones are refused
    (not clipped: joint_admission.py says why). Interbotix and the physics simulator (the kinematic one takes no
    joint commands)."""
    camera_device: str = "0"
    """OpenCV device of the real camera (``"0"``, ``/dev/video2``, a URL); ``""`` = no camera. Interbotix only."""
    wrist_camera: bool = False
    """Publish camera/wrist/image_raw (policy profiles with a wrist view): sim renders it, interbotix reads
    ``wrist_camera_device``."""
    wrist_camera_device: str = "1"
    """OpenCV device of the real wrist camera (a /dev/v4l/by-id path is stabler than an index). Interbotix only."""
    image_width: int = 256
    """[px] width of published images (frames are resized to it)."""
    image_height: int = 256
    """[px] height of published images."""
    frame_id: str = "base_link"
    """Frame id stamped on arm_state and images: the arm base frame the deltas are expressed in."""
    connect_timeout: float = 20.0
    """[s] deadline for reaching the hardware in on_configure (interbotix xs_sdk)."""
    autostart: bool = True
    """Configure and activate right after start, so the node runs without a lifecycle manager."""
    task_name: str = "hammer_plate_mushroom"
    """Simulator task (a sarl_sim task slug) laid out at configure; sim only."""
    seed: int = 0
    """Layout seed of the first simulated scene; sim only."""
    command_max_age: float = 0.5
    """[s] arm commands stamped longer ago than this are refused (counted as stale)."""
    command_max_future: float = 0.1
    """[s] arm commands stamped further in the future than this (clock skew between hosts) are refused as stale."""
    command_sources: str = "vla,reset,operator"
    """Comma-separated senders allowed to command the arm (vla, reset, operator); others are refused."""
    command_queue_depth: int = 10
    """[1] arm_command subscription depth; samples a flood pushes out are counted in arm_state.commands_lost.
    10 holds 2 s of the bridge's 5 Hz stream, more than command_max_age: a deeper queue would only hold stale ones."""
    secret_file: str = ""
    """Run secret that signs clear_estop requests ('' = $SARL_SECRET_FILE, else ~/.config/sarl/secret)."""

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.sim_world not in SIM_WORLDS:
            raise ValueError(f"sim_world must be one of {SIM_WORLDS}, got {self.sim_world!r}")
        if self.backend != "sim" and self.sim_world != "kinematic":
            raise ValueError(f"sim_world {self.sim_world!r} asks for a simulated world, but backend is "
                             f"{self.backend!r}: set backend to 'sim' or leave sim_world at 'kinematic'")
        if not self.robot_model:
            raise ValueError("robot_model must not be empty (the WidowX 250 6-DoF is 'wx250s')")
        _require(self.control_rate_hz >= 0.0, "control_rate_hz", "a number >= 0 (0 = backend default)",
                 self.control_rate_hz)  # fmt: skip
        for key in ("watchdog_timeout", "connect_timeout"):
            _require(getattr(self, key) > 0.0, key, "a number of seconds > 0", getattr(self, key))
        for key in ("image_width", "image_height"):
            _require(1 <= getattr(self, key) <= 8192, key, "an integer number of pixels in 1..8192", getattr(self, key))
        _require(self.seed >= 0, "seed", "an integer >= 0", self.seed)
        _require(1 <= self.command_queue_depth <= 1000, "command_queue_depth", "an integer in 1..1000",
                 self.command_queue_depth)  # fmt: skip
        if self.backend == "sim" and not self.task_name:
            raise ValueError("task_name must name a simulator task when backend is 'sim'")
        _ = self.envelope  # validates the workspace and step limits, naming the key
        _ = self.admission  # validates the command bounds and sources, naming the key
        _ = self.joint_limits  # validates max_joint_step, naming the key

    @property
    def envelope(self) -> EnvelopeConfig:
        """The safety envelope's limits."""
        return EnvelopeConfig(
            workspace_min=self.workspace_min,
            workspace_max=self.workspace_max,
            max_translation_step=self.max_translation_step,
            max_rotation_step=self.max_rotation_step,
        )

    @property
    def joint_limits(self) -> JointLimits:
        """The joint path's step limit and workspace box."""
        return JointLimits(self.max_joint_step, self.workspace_min, self.workspace_max)

    @property
    def admission(self) -> AdmissionRules:
        """The bounds on a command's stamp, frame and sender."""
        names = [name.strip() for name in self.command_sources.split(",") if name.strip()]
        unknown = sorted(set(names) - set(COMMAND_SOURCES))
        if unknown:
            raise ValueError(f"command_sources must name senders among {sorted(COMMAND_SOURCES)}, got {unknown}")
        return AdmissionRules(self.command_max_age, self.command_max_future, self.frame_id,
                              frozenset(COMMAND_SOURCES[name] for name in names))  # fmt: skip

    @property
    def rate_hz(self) -> float:
        """The effective control rate (the backend default when ``control_rate_hz`` is 0)."""
        return self.control_rate_hz if self.control_rate_hz > 0.0 else DEFAULT_CONTROL_RATE_HZ[self.backend]

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Parameter name → default, for declaring the ROS parameters."""
        return {f.name: f.default for f in dataclasses.fields(cls)}

    @classmethod
    def from_parameters(cls, values: Mapping[str, Any]) -> DriverConfig:
        """Build from ROS parameter values; raise ValueError/TypeError naming the offending key."""
        hints = typing.get_type_hints(cls)
        unknown = sorted(set(values) - set(hints))
        if unknown:
            raise ValueError(f"unknown driver parameters {unknown}; known: {sorted(hints)}")
        return cls(**{key: coerce(key, value, hints[key]) for key, value in values.items()})


def coerce(key: str, value: Any, hint: Any) -> Any:
    """``value`` as the field type ``hint`` (str, bool, int, float, tuple[float, ...]), or TypeError naming ``key``."""
    if hint is str:
        if not isinstance(value, str):
            raise TypeError(f"{key} must be a string, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise TypeError(f"{key} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{key} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"{key} must be a finite number, got {value!r}")
        return float(value)
    if typing.get_origin(hint) is tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{key} must be a list of numbers, got {value!r}")
        return tuple(coerce(f"{key}[{i}]", item, float) for i, item in enumerate(value))
    raise TypeError(f"{key}: unsupported parameter type {hint!r}")


def _require(ok: bool, key: str, allowed: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"{key} must be {allowed}, got {value!r}")
