"""The wx250s arm as MJCF, written from the robot's published kinematic and inertial facts.

Why generated here: the numbers (joint origins, axes, limits, efforts, link masses, centres of mass and
inertia tensors) are the facts Interbotix publishes in its wx250s URDF; the geometry is ours (capsules and
boxes), so no upstream file is copied. URDF inertia tensors are given in a frame rotated by the inertial
``rpy``; they are rotated into the link frame here so MuJoCo gets them as ``fullinertia``.

Left out on purpose: the 1 g placeholder links (``ee_arm_link``, ``fingers_link``, ``ee_gripper_link``) with
their meaningless 0.001 kg m² inertias, and the spinning gripper propeller joint (welded here; it is only the
servo horn's visual).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ARM_JOINT_NAMES = ("waist", "shoulder", "elbow", "forearm_roll", "wrist_angle", "wrist_rotate")
"""The six arm joints, in the order the real driver publishes them."""
FINGER_JOINT_NAMES = ("left_finger", "right_finger")
"""The two prismatic finger joints (m from the gripper centre; the right one is mirrored)."""
JOINT_NAMES = ARM_JOINT_NAMES + FINGER_JOINT_NAMES
"""Every joint of the model, with the real names."""
PUBLISHED_JOINT_NAMES = (*ARM_JOINT_NAMES, "gripper", *FINGER_JOINT_NAMES)
"""``joint_states`` names in the real xs_sdk's order: the motors (``joint_order``, ending with the ``gripper``
servo), then the fingers it derives from the gripper servo's angle."""

FINGER_CLOSED = 0.015
"""Left finger position when the gripper is closed (m, URDF lower limit)."""
FINGER_OPEN = 0.037
"""Left finger position when the gripper is open (m, URDF upper limit)."""
FINGER_PAD_INSET = 0.014
"""Distance from a finger joint's position to its pad's inner face (m): closed pads leave a 2 mm gap.

A modelling choice (the URDF only gives the travel): aperture 2-46 mm.
"""

GRIPPER_HORN_RADIUS = 0.014
"""Gripper servo horn radius (m), the wx250s motor configuration's ``horn_radius``."""
GRIPPER_ARM_LENGTH = 0.024
"""Horn-to-finger linkage length (m), the wx250s motor configuration's ``arm_length``."""


def gripper_servo_angle(finger: float) -> float:
    """The ``gripper`` servo angle (rad) for a left-finger position (m).

    Why: the real xs_sdk publishes the servo angle as the ``gripper`` joint and the finger positions derived from
    it by the horn-and-linkage geometry (``finger = h sin a + sqrt(l^2 - h^2 cos^2 a)``); the physics world drives
    the fingers directly, so this is that relation solved for the angle: ``sin a = (f^2 - l^2 + h^2) / (2 f h)``.
    """
    sine = (finger**2 - GRIPPER_ARM_LENGTH**2 + GRIPPER_HORN_RADIUS**2) / (2.0 * finger * GRIPPER_HORN_RADIUS)
    return float(np.arcsin(np.clip(sine, -1.0, 1.0)))


FINGER_SQUEEZE_TARGET = 0.0
"""Closing servo target of the left finger (m), past the closed limit: the force then saturates at the 5 N effort
limit whatever the object's width, like the real gripper's constant-PWM grasp."""

EE_SITE = "ee_gripper"
"""Site at the URDF's ``ee_gripper_link``: the end-effector point the driver's poses refer to."""


@dataclass(frozen=True)
class JointFact:
    """One revolute/prismatic joint of the URDF."""

    name: str
    origin: tuple[float, float, float]
    """Child frame origin in the parent link frame (m); every wx250s joint origin has zero rpy."""
    axis: tuple[float, float, float]
    lower: float
    upper: float
    effort: float
    """Effort limit (N m or N), used as the actuator's force range."""


@dataclass(frozen=True)
class InertialFact:
    """A link's inertial block from the URDF (tensor in the frame rotated by ``rpy``)."""

    mass: float
    com: tuple[float, float, float]
    rpy: tuple[float, float, float]
    ixx: float
    iyy: float
    izz: float
    ixy: float
    ixz: float
    iyz: float

    def full_inertia_in_link(self) -> tuple[float, ...]:
        """``(ixx, iyy, izz, ixy, ixz, iyz)`` expressed in the link frame (``R I Rᵀ``)."""
        tensor = np.array(
            [[self.ixx, self.ixy, self.ixz], [self.ixy, self.iyy, self.iyz], [self.ixz, self.iyz, self.izz]]
        )
        rotation = _rpy_matrix(*self.rpy)
        rotated = rotation @ tensor @ rotation.T
        return (rotated[0, 0], rotated[1, 1], rotated[2, 2], rotated[0, 1], rotated[0, 2], rotated[1, 2])


_PI = 3.141582653589793  # the URDF's ±π limits, a hair inside π
_Z90 = (0.0, 0.0, 1.5707963267948966)

JOINTS: dict[str, JointFact] = {
    j.name: j
    for j in (
        JointFact("waist", (0, 0, 0.072), (0, 0, 1), -_PI, _PI, 10.0),
        JointFact("shoulder", (0, 0, 0.03865), (0, 1, 0), -1.8849555921538759, 1.9896753472735358, 20.0),
        JointFact("elbow", (0.04975, 0, 0.25), (0, 1, 0), -2.1467549799530254, 1.6057029118347832, 15.0),
        JointFact("forearm_roll", (0.175, 0, 0), (1, 0, 0), -_PI, _PI, 2.0),
        JointFact("wrist_angle", (0.075, 0, 0), (0, 1, 0), -1.7453292519943295, 2.1467549799530254, 5.0),
        JointFact("wrist_rotate", (0.065, 0, 0), (1, 0, 0), -_PI, _PI, 1.0),
        JointFact("left_finger", (0, 0, 0), (0, 1, 0), FINGER_CLOSED, FINGER_OPEN, 5.0),
        JointFact("right_finger", (0, 0, 0), (0, 1, 0), -FINGER_OPEN, -FINGER_CLOSED, 5.0),
    )
}
"""Joint facts of the wx250s URDF (origins, axes, limits, effort limits)."""

ARM_VELOCITY_LIMIT = 3.141592653589793
"""Velocity limit of every arm joint (rad/s, URDF ``limit velocity``): the real toolbox refuses joint targets
that would need more within one ``moving_time``."""

JOINT_DAMPING = 0.1
"""Viscous damping of every joint (URDF ``dynamics damping``)."""
JOINT_FRICTION = 0.1
"""Dry friction of every joint (URDF ``dynamics friction``), as MuJoCo ``frictionloss``."""

INERTIALS: dict[str, InertialFact] = {
    "base_link": InertialFact(0.538736, (-0.0380446, 0.000613892, 0.0193354), _Z90,
                              0.002115, 0.0006921, 0.002524, -0.00001635, 0.0000006998, 0.00004642),
    "shoulder_link": InertialFact(0.480879, (0.0000223482, 0.0000414609, 0.0066287), _Z90,
                                  0.000379, 0.0005557, 0.0005889, 0.0000000022, -0.0000003561, 0.0000012245),
    "upper_arm_link": InertialFact(0.430811, (0.0171605, 0.0000002725, 0.191323), _Z90,
                                   0.003463, 0.003587, 0.0004566, -0.0000000001, -0.0000000002, 0.0004272),
    "upper_forearm_link": InertialFact(0.234589, (0.107963, 0.000115876, 0.0), (0, 0, 0),
                                       0.00003971, 0.0008878, 0.000888, 0.0000023528, 0.0, 0.0),
    "lower_forearm_link": InertialFact(0.220991, (0.0374395, 0.00522252, 0.0), (3.141592653589793, 0, 0),
                                       0.00006369, 0.0001677, 0.0001834, -0.00002292, 0.0, 0.0),
    "wrist_link": InertialFact(0.084957, (0.04236, -0.000010663, 0.010577), _Z90,
                               0.00003082, 0.00002822, 0.00003152, 0.0000000191, 0.0000000023, 0.0000025481),
    "gripper_link": InertialFact(0.072885, (0.021631, 0.0000002516, 0.01141), _Z90,
                                 0.00002537, 0.00001836, 0.00001674, 0.0, 0.0, 0.000000434),
    "gripper_prop_link": InertialFact(0.00434, (0.000846, -0.0000016817, 0.000042), _Z90,
                                      0.0000005923, 0.0000011156, 0.0000005743, 0.0, 0.0000003195, -0.0000000004),
    "gripper_bar_link": InertialFact(0.034199, (0.009687, 0.0000008177, 0.004962), _Z90,
                                     0.0000074125, 0.00002843, 0.0000286, -0.0000000008, -0.0000000006, -0.0000013889),
    "left_finger_link": InertialFact(0.016246, (0.013816, 0.0, 0.0), (3.141592653589793, 3.141592653589793, _Z90[2]),
                                     0.000004731, 0.0000015506, 0.0000037467, -0.000000456, 0.0, 0.0),
    "right_finger_link": InertialFact(0.016246, (0.013816, 0.0, 0.0), (0, 3.141592653589793, _Z90[2]),
                                      0.000004731, 0.0000015506, 0.0000037467, 0.000000456, 0.0, 0.0),
}  # fmt: skip
"""Inertial facts of the wx250s URDF links (kg, m, kg m²)."""

EE_ARM_OFFSET = 0.043
"""``gripper_link`` → ``ee_arm_link`` along x (m); the gripper bar and propeller hang here."""
FINGERS_OFFSET = 0.023
"""``ee_arm_link`` → ``fingers_link`` along x (m): where the finger rails are."""
EE_GRIPPER_OFFSET = 0.027575
"""``fingers_link`` → ``ee_gripper_link`` along x (m): the end-effector point between the finger pads."""
PROP_OFFSET = 0.0055
"""``ee_arm_link`` → ``gripper_prop_link`` along x (m)."""

POSITION_GAINS: dict[str, float] = {
    "waist": 150.0, "shoulder": 150.0, "elbow": 120.0, "forearm_roll": 40.0, "wrist_angle": 50.0, "wrist_rotate": 25.0,
    "left_finger": 400.0, "right_finger": 400.0,
}  # fmt: skip
"""Stiffness of the position servos (N m/rad, N/m); a modelling choice standing in for the Dynamixel PID."""
ARMATURE = 0.02
"""Reflected rotor inertia of each arm servo (kg m²); a modelling choice that keeps stiff servos stable."""
FINGER_ARMATURE = 0.05
"""Reflected inertia of the gripper motor at each finger (kg): the geared servo behind the rack. Without it a
16 g finger makes MuJoCo's mass-scaled soft limits and contacts yield by millimetres under the 5 N squeeze."""

ARM_CONTACT = 'contype="2" conaffinity="1"'
"""Arm geoms touch the table and objects but not each other (self-collision is not modelled)."""
GRIP_PAD = f'{ARM_CONTACT} condim="4" friction="1.5 0.02 0.001" rgba="0.15 0.15 0.15 1"'
"""Finger pads: rubber-like friction and torsional friction so a grasped object does not spin."""
_LINK = f'{ARM_CONTACT} rgba="0.12 0.12 0.14 1"'


def _rpy_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    cr, sr, cp, sp, cy, sy = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch), np.cos(yaw), np.sin(yaw)
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return rz @ ry @ rx


def _vec(values) -> str:
    return " ".join(f"{float(v):.10g}" for v in values)


def _inertial(link: str) -> str:
    fact = INERTIALS[link]
    return f'<inertial pos="{_vec(fact.com)}" mass="{fact.mass}" fullinertia="{_vec(fact.full_inertia_in_link())}"/>'


def _joint(name: str, kind: str = "hinge") -> str:
    fact = JOINTS[name]
    armature = ARMATURE if name in ARM_JOINT_NAMES else FINGER_ARMATURE
    return (
        f'<joint name="{name}" type="{kind}" axis="{_vec(fact.axis)}" range="{fact.lower} {fact.upper}"'
        f' damping="{JOINT_DAMPING}" frictionloss="{JOINT_FRICTION}" actuatorgravcomp="true" armature="{armature}"/>'
    )


def _finger(name: str, side: float) -> str:
    """A finger body; ``side`` is +1 (left, +y) or -1 (right, -y). The pad's inner face is at ``|q| - inset``."""
    pad_centre_y = side * -(FINGER_PAD_INSET - 0.005)
    fingertip = EE_GRIPPER_OFFSET + 0.017
    return (
        f'<body name="{name}_link" gravcomp="1">{_inertial(name + "_link")}{_joint(name, "slide")}'
        f'<geom name="{name}_pad" type="box" size="{fingertip / 2} 0.005 0.009"'
        f' pos="{fingertip / 2} {pad_centre_y} 0" {GRIP_PAD}/>'
        f'<geom type="box" size="0.008 0.005 0.012" pos="-0.004 {pad_centre_y} 0" {_LINK}/></body>'
    )


def arm_body_xml(base_pos: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> str:
    """The arm's nested ``<body>`` tree (base at ``base_pos``), with the end-effector site and the wrist camera."""
    j = {name: _vec(fact.origin) for name, fact in JOINTS.items()}
    return f"""
<body name="base_link" pos="{_vec(base_pos)}">{_inertial("base_link")}
  <geom type="box" size="0.065 0.06 0.036" pos="-0.03 0 0.036" {_LINK}/>
  <body name="shoulder_link" pos="{j["waist"]}" gravcomp="1">{_inertial("shoulder_link")}{_joint("waist")}
    <geom type="cylinder" size="0.04 0.017" pos="0 0 0.017" {_LINK}/>
    <body name="upper_arm_link" pos="{j["shoulder"]}" gravcomp="1">{_inertial("upper_arm_link")}{_joint("shoulder")}
      <geom type="capsule" fromto="0 0 0.02 0.04975 0 0.25" size="0.024" {_LINK}/>
      <body name="upper_forearm_link" pos="{j["elbow"]}" gravcomp="1">{_inertial("upper_forearm_link")}
        {_joint("elbow")}
        <geom type="capsule" fromto="0 0 0 0.17 0 0" size="0.02" {_LINK}/>
        <body name="lower_forearm_link" pos="{j["forearm_roll"]}" gravcomp="1">
          {_inertial("lower_forearm_link")}{_joint("forearm_roll")}
          <geom type="capsule" fromto="0 0 0 0.07 0 0" size="0.019" {_LINK}/>
          <body name="wrist_link" pos="{j["wrist_angle"]}" gravcomp="1">{_inertial("wrist_link")}{_joint("wrist_angle")}
            <geom type="capsule" fromto="0.005 0 0 0.055 0 0" size="0.018" {_LINK}/>
            <body name="gripper_link" pos="{j["wrist_rotate"]}" gravcomp="1">{_inertial("gripper_link")}
              {_joint("wrist_rotate")}
              <geom type="box" size="0.02 0.028 0.02" pos="0.018 0 0.005" {_LINK}/>
              <camera name="wrist" pos="0.045 0 0.045" xyaxes="0 -1 0 0.5 0 0.87" fovy="75"/>
              <body name="gripper_prop_link" pos="{EE_ARM_OFFSET + PROP_OFFSET} 0 0" gravcomp="1">
                {_inertial("gripper_prop_link")}</body>
              <body name="gripper_bar_link" pos="{EE_ARM_OFFSET} 0 0" gravcomp="1">{_inertial("gripper_bar_link")}
                <geom type="box" size="0.008 0.045 0.014" pos="0.008 0 0" {_LINK}/>
                <body name="fingers_link" pos="{FINGERS_OFFSET} 0 0">
                  <site name="{EE_SITE}" pos="{EE_GRIPPER_OFFSET} 0 0" size="0.004" rgba="1 0 0 0.5"/>
                  {_finger("left_finger", 1.0)}
                  {_finger("right_finger", -1.0)}
                </body>
              </body>
            </body>
          </body>
        </body>
      </body>
    </body>
  </body>
</body>"""


def actuator_xml() -> str:
    """One position servo per joint, stiffness from :data:`POSITION_GAINS`, force limited to the URDF effort."""
    lines = []
    for name in JOINT_NAMES:
        fact = JOINTS[name]
        low, high = fact.lower, fact.upper
        if name == "left_finger":
            low = FINGER_SQUEEZE_TARGET
        elif name == "right_finger":
            high = -FINGER_SQUEEZE_TARGET
        lines.append(
            f'<position name="{name}" joint="{name}" kp="{POSITION_GAINS[name]}" dampratio="1"'
            f' ctrlrange="{low} {high}" forcerange="{-fact.effort} {fact.effort}"/>'
        )
    return "\n".join(lines)
