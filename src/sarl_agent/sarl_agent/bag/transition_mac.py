"""The MACs of ``SemanticTransition`` and ``TransitionAck``: which fields, in which order, how encoded.

Why every field: a MAC that leaves one field out lets a peer without the
secret change it (a reward, a prompt) and keep the signature. The order is
the order of the ``.msg`` file, nested messages flattened in place:

    "transition", header (stamp sec, nanosec, frame_id), run_id, episode, step, sequence, task,
    observation, candidates (ids, prompts), chosen_index, chosen_id, chosen_prompt, q_values,
    probabilities, temperature, reward, next_observation, next_candidates, terminal, truncated,
    outcome, decision_time, execution_time
    observation = stamp (sec, nanosec), image (header, format, data), proprio, step, history
                  [, wrist_image (header, format, data): only when it has data, so transitions without a
                  wrist frame, and bags written before the field existed, sign as they always did]

float32 fields are signed as the float32 value the receiver reads (the sender's
Python float rounded), so both sides sign equal numbers; every NaN signs alike.
Works on rclpy messages (live topics) and rosbags dataclasses (bags) alike.

Acks: ("ack", run_id, sequence, the acknowledged transition's MAC, stored, bag_path, error). The
transition's MAC is not sent with the ack (both sides have it): it binds the ack to that exact
transition, so an ack captured earlier (another incarnation of the run that reused the sequence
number) never acknowledges a different transition.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from sarl_auth import sign, verify

TRANSITION_PURPOSE = "transition"
ACK_PURPOSE = "ack"


def _f32(value: Any) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.float32(value))


def _f32s(values: Iterable[Any]) -> list[float]:
    with np.errstate(over="ignore", invalid="ignore"):
        return [float(v) for v in np.asarray(values, dtype=np.float32).reshape(-1)]


def _ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]


def _bytes(data: Any) -> bytes:
    if isinstance(data, np.ndarray):
        return data.astype(np.uint8, copy=False).tobytes()
    return bytes(data)


def _stamp(stamp: Any) -> list[Any]:
    return [int(stamp.sec), int(stamp.nanosec)]


def _image(image: Any) -> list[Any]:
    return [[_stamp(image.header.stamp), str(image.header.frame_id)], str(image.format), _bytes(image.data)]


def _observation(obs: Any) -> list[Any]:
    fields = [_stamp(obs.stamp), *_image(obs.image), _f32s(obs.proprio), int(obs.step), _ints(obs.history)]
    wrist = getattr(obs, "wrist_image", None)
    if wrist is not None and len(wrist.data):
        fields.append(_image(wrist))
    return fields


def _candidates(candidate_set: Any) -> list[Any]:
    return [_ints(candidate_set.ids), [str(p) for p in candidate_set.prompts]]


def transition_fields(msg: Any) -> list[Any]:
    """Every content field of a ``SemanticTransition`` (all but ``mac``), in the documented order."""
    return [
        [_stamp(msg.header.stamp), str(msg.header.frame_id)],
        str(msg.run_id), int(msg.episode), int(msg.step), int(msg.sequence), str(msg.task),
        _observation(msg.observation), _candidates(msg.candidates),
        int(msg.chosen_index), int(msg.chosen_id), str(msg.chosen_prompt),
        _f32s(msg.q_values), _f32s(msg.probabilities), _f32(msg.temperature),
        _f32(msg.reward), _observation(msg.next_observation), _candidates(msg.next_candidates),
        bool(msg.terminal), bool(msg.truncated), int(msg.outcome),
        _f32(msg.decision_time), _f32(msg.execution_time),
    ]


def transition_mac(secret: bytes, msg: Any) -> bytes:
    return sign(secret, TRANSITION_PURPOSE, *transition_fields(msg))


def sign_transition(secret: bytes, msg: Any) -> Any:
    """Set ``msg.mac`` (rclpy message) to its MAC; returns ``msg``."""
    msg.mac = list(transition_mac(secret, msg))
    return msg


def mac_bytes(msg: Any) -> bytes:
    """The ``mac`` field as bytes (empty for unsigned messages and bags written before MACs existed)."""
    return _bytes(getattr(msg, "mac", b""))


def transition_verifies(secret: bytes, msg: Any) -> bool:
    mac = mac_bytes(msg)
    return bool(mac) and verify(secret, mac, TRANSITION_PURPOSE, *transition_fields(msg))


def ack_fields(run_id: str, sequence: int, transition: bytes, stored: bool, bag_path: str,
               error: str) -> list[Any]:
    return [str(run_id), int(sequence), bytes(transition), bool(stored), str(bag_path), str(error)]


def ack_mac(secret: bytes, run_id: str, sequence: int, transition: bytes, stored: bool, bag_path: str,
            error: str) -> bytes:
    """MAC of an answer about the transition whose own MAC is ``transition``."""
    return sign(secret, ACK_PURPOSE, *ack_fields(run_id, sequence, transition, stored, bag_path, error))


def ack_verifies(secret: bytes, ack: Any, transition: bytes) -> bool:
    """True when ``ack`` was signed by a secret holder about the transition whose MAC is ``transition``."""
    mac = mac_bytes(ack)
    return bool(mac) and verify(secret, mac, ACK_PURPOSE, *ack_fields(
        ack.run_id, ack.sequence, transition, ack.stored, ack.bag_path, ack.error))


def reading_secret(path: str | None = None, verify_macs: bool = True) -> tuple[bytes | None, str]:
    """The secret an offline reader verifies with, and a note for the user when there is none.

    ``path`` None = ``$SARL_SECRET_FILE`` or ``~/.config/sarl/secret`` (sarl_auth); an explicit path
    that cannot be read is an error (``SecretError``), a missing default only means "not verified".
    """
    from sarl_auth import SecretError, load_secret

    if not verify_macs:
        return None, "MAC verification turned off (--no-verify)"
    if path:
        return load_secret(path), ""
    try:
        return load_secret(), ""
    except SecretError as error:
        return None, f"no usable run secret ({error}); give --secret FILE to verify"
