"""The transition and ack MACs: every content field is covered, and both message flavours verify alike."""

from __future__ import annotations

import copy

import pytest
from rclpy.serialization import deserialize_message, serialize_message
from sarl_interfaces.msg import SemanticTransition, TransitionAck

from sarl_agent.bag.convert import serialize
from sarl_agent.bag.transition_mac import (
    ack_mac,
    ack_verifies,
    sign_transition,
    transition_mac,
    transition_verifies,
)
from sarl_agent.bag.typestore import sarl_typestore

from .helpers import rclpy_transition, run_secret_bytes

MSGTYPE = "sarl_interfaces/msg/SemanticTransition"


def _set(path: str, value):
    def change(msg):
        *parents, name = path.split(".")
        target = msg
        for parent in parents:
            target = getattr(target, parent)
        setattr(target, name, value)
    return change


CHANGES = {
    "header.stamp.sec": _set("header.stamp.sec", 5), "header.stamp.nanosec": _set("header.stamp.nanosec", 6),
    "header.frame_id": _set("header.frame_id", "x"), "run_id": _set("run_id", "run-other"),
    "episode": _set("episode", 9), "step": _set("step", 3), "sequence": _set("sequence", 77),
    "task": _set("task", "attacker"),
    "observation.stamp": _set("observation.stamp.sec", 1),
    "observation.image.header": _set("observation.image.header.frame_id", "cam"),
    "observation.image.format": _set("observation.image.format", "png"),
    "observation.image.data": _set("observation.image.data", [1, 2, 3]),
    "observation.proprio": _set("observation.proprio", [0.0] * 7),
    "observation.step": _set("observation.step", 4), "observation.history": _set("observation.history", [7]),
    "observation.wrist_image.data": _set("observation.wrist_image.data", [4, 5]),
    "candidates.ids": _set("candidates.ids", [0, 3, 8]),
    "candidates.prompts": _set("candidates.prompts", ["reset to home", "open the drawer", "attack"]),
    "chosen_index": _set("chosen_index", 2), "chosen_id": _set("chosen_id", 7),
    "chosen_prompt": _set("chosen_prompt", "pick up the banana"),
    "q_values": _set("q_values", [0.1, 0.5, 0.3]), "probabilities": _set("probabilities", [0.2, 0.5, 0.4]),
    "temperature": _set("temperature", 0.25), "reward": _set("reward", 1.0),
    "next_observation.proprio": _set("next_observation.proprio", [1.0] * 7),
    "next_observation.image.data": _set("next_observation.image.data", [9]),
    "next_candidates.ids": _set("next_candidates.ids", [0, 8]),
    "next_candidates.prompts": _set("next_candidates.prompts", ["reset to home", "attack"]),
    "terminal": _set("terminal", True), "truncated": _set("truncated", True), "outcome": _set("outcome", 3),
    "decision_time": _set("decision_time", 2.0), "execution_time": _set("execution_time", 3.0),
}


def test_every_field_of_the_message_is_listed_here():
    """A field added to SemanticTransition.msg must be added to the MAC (and to CHANGES)."""
    covered = {path.split(".")[0] for path in CHANGES} | {"mac"}
    assert set(SemanticTransition.get_fields_and_field_types()) == covered


@pytest.mark.parametrize("field", sorted(CHANGES))
def test_changing_any_field_breaks_the_mac(field):
    signed = rclpy_transition(3, episode=1, step=2)
    assert transition_verifies(run_secret_bytes(), signed)
    changed = copy.deepcopy(signed)
    CHANGES[field](changed)
    assert not transition_verifies(run_secret_bytes(), changed), f"{field} is not covered by the MAC"


def test_a_signature_survives_dds_serialization_and_a_bag_reader():
    msg = rclpy_transition(1)
    msg.reward, msg.temperature, msg.decision_time = 0.1, 0.3, 1.0 / 3.0  # not float32-exact as Python floats
    sign_transition(run_secret_bytes(), msg)
    raw = serialize_message(msg)
    assert transition_verifies(run_secret_bytes(), deserialize_message(raw, SemanticTransition))
    from_bag = sarl_typestore().deserialize_cdr(raw, MSGTYPE)  # numpy arrays, numpy floats
    assert transition_verifies(run_secret_bytes(), from_bag)
    assert serialize(from_bag)  # and it re-serializes with the mac field


def test_unsigned_or_other_secret_does_not_verify():
    assert not transition_verifies(run_secret_bytes(), rclpy_transition(1, signed=False))
    assert not transition_verifies(b"another secret of 32 bytes......", rclpy_transition(1))


def test_ack_mac_covers_every_field_and_the_transition_it_answers():
    secret = run_secret_bytes()
    transition = bytes(rclpy_transition(4).mac)
    ack = TransitionAck(run_id="run", sequence=4, stored=True, bag_path="/bags/x", error="",
                        mac=list(ack_mac(secret, "run", 4, transition, True, "/bags/x", "")))
    assert ack_verifies(secret, ack, transition)
    for name, value in (("run_id", "other"), ("sequence", 5), ("stored", False), ("bag_path", "/y"),
                        ("error", "disk full")):
        changed = copy.deepcopy(ack)
        setattr(changed, name, value)
        assert not ack_verifies(secret, changed, transition), name
    other = bytes(rclpy_transition(4, reward=1.0, terminal=True).mac)  # same run and sequence, other content
    assert not ack_verifies(secret, ack, other)
    assert not ack_verifies(secret, TransitionAck(run_id="run", sequence=4, stored=True, bag_path="/bags/x"),
                            transition)


SIGNED_BEFORE_THE_WRIST_IMAGE = "ca9156aba13395a0c54fadbeeccf4868f66fbc7cfe1f1d51d33870b4fb0d273a"
"""The MAC of _fixed_transition() under b"k" * 32, computed by the code before Observation had a wrist_image."""


def _fixed_transition() -> SemanticTransition:
    msg = rclpy_transition(1, signed=False)
    msg.observation.image.data, msg.next_observation.image.data = list(range(16)), list(range(16, 32))
    return msg


def test_a_transition_without_a_wrist_frame_signs_as_before_the_field_existed():
    """So bags recorded before the wrist camera was recorded still verify."""
    assert transition_mac(b"k" * 32, _fixed_transition()).hex() == SIGNED_BEFORE_THE_WRIST_IMAGE


@pytest.mark.parametrize("change", ["format", "frame", "data", "stripped"])
def test_a_wrist_frame_is_covered_by_the_mac(change):
    signed = _fixed_transition()
    signed.next_observation.wrist_image.format = "jpeg"
    signed.next_observation.wrist_image.data = list(range(40, 60))
    sign_transition(run_secret_bytes(), signed)
    assert transition_verifies(run_secret_bytes(), signed)
    wrist = signed.next_observation.wrist_image
    if change == "format":
        wrist.format = "png"
    elif change == "frame":
        wrist.header.frame_id = "elsewhere"
    elif change == "data":
        wrist.data = list(range(41, 61))
    else:
        wrist.data = []  # a forger dropping the frame cannot pass the transition off as one without it
    assert not transition_verifies(run_secret_bytes(), signed)
