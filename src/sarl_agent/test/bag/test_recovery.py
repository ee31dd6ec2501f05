"""Recovery of a bag whose writer died: every complete message survives, the bag opens everywhere again."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from mcap.reader import make_reader
from rclpy.serialization import serialize_message
from rosbags.highlevel import AnyReader

from sarl_agent.bag.lock import BagLocked, is_locked
from sarl_agent.bag.recovery import BagCorrupted, is_complete, needs_recovery, recover_bag, storage_file
from sarl_agent.bag.scan import McapScan
from sarl_agent.bag.writer import DurableBagWriter

from .helpers import TOPIC, rclpy_transition, write_bag

COUNT = 6


def sequences_in(bag) -> list[int]:
    with AnyReader([bag]) as reader:
        return [reader.deserialize(raw, c.msgtype).sequence for c, _, raw in reader.messages()]


def mcap_count(bag) -> int:
    with storage_file(bag).open("rb") as stream:
        return make_reader(stream).get_summary().statistics.message_count


@pytest.fixture
def killed(tmp_path):
    """A bag as a SIGKILLed writer leaves it: no summary, no footer, no metadata.yaml, a stale lock file."""
    bag = tmp_path / "run-test_killed"
    write_bag(bag, [serialize_message(rclpy_transition(s)) for s in range(1, COUNT + 1)], finish=False)
    return bag


def message_ends(bag) -> list[int]:
    """File offsets at which each message's chunk (and so the message) is complete."""
    ends, scan = [], McapScan(storage_file(bag))
    for record in scan.records():
        if type(record).__name__ == "Message":
            ends.append(scan.state.record_end)
    return ends


def test_killed_writer_bag_is_unreadable_until_recovered(killed):
    assert not is_complete(killed) and needs_recovery(killed)
    with pytest.raises(Exception):  # noqa: B017 - any reader error: rosbags refuses a bag without metadata.yaml
        sequences_in(killed)
    report = recover_bag(killed)
    assert report.recovered and report.messages == COUNT
    assert is_complete(killed) and not needs_recovery(killed)
    assert sequences_in(killed) == list(range(1, COUNT + 1))
    assert mcap_count(killed) == COUNT
    info = yaml.safe_load((killed / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert info["message_count"] == COUNT
    assert info["custom_data"]["sarl.run_id"] == "run-test" and "sarl.recovered" in info["custom_data"]
    assert info["topics_with_message_count"][0]["topic_metadata"]["type_description_hash"] == TOPIC.type_hash


def test_a_cut_anywhere_keeps_exactly_the_messages_completed_before_it(killed, tmp_path):
    """Where a crash cuts the file decides what survives: every message whose bytes were all written."""
    source = storage_file(killed)
    ends = message_ends(killed)
    size = source.stat().st_size
    spread = range(ends[0] - 40, size, (size - ends[0]) // 6)  # inside headers, payloads, indexes
    cuts = sorted({*spread, *ends, *(end - 1 for end in ends)})
    for cut in cuts:
        copy = tmp_path / f"cut_{cut}"
        shutil.copytree(killed, copy)
        os.truncate(storage_file(copy), cut)
        expected = sum(end <= cut for end in ends)
        assert recover_bag(copy).messages == expected, f"cut at byte {cut}"
        assert sequences_in(copy) == list(range(1, expected + 1)), f"cut at byte {cut}"


def test_a_damaged_chunk_inside_a_killed_bag_is_skipped_and_reported(killed):
    path = storage_file(killed)
    data = bytearray(path.read_bytes())
    data[message_ends(killed)[1] - 2000] ^= 0xFF  # bit rot inside the second message's chunk
    path.write_bytes(bytes(data))
    report = recover_bag(killed)
    assert report.messages == COUNT - 1 and len(report.skipped) == 1 and "skipped 1 damaged" in report.describe()
    assert sequences_in(killed) == [1, *range(3, COUNT + 1)]


def test_zero_filled_tail_after_power_loss_is_dropped(killed):
    with storage_file(killed).open("ab") as stream:
        stream.write(b"\x00" * 4096)
    report = recover_bag(killed)
    assert report.messages == COUNT and "opcode 0" in report.problem
    assert sequences_in(killed) == list(range(1, COUNT + 1))


def test_recovery_is_idempotent_and_leaves_complete_bags_alone(killed, tmp_path):
    recover_bag(killed)
    before = {p.name: p.stat().st_mtime_ns for p in killed.iterdir()}
    again = recover_bag(killed)
    assert not again.recovered and again.messages == COUNT
    assert {p.name: p.stat().st_mtime_ns for p in killed.iterdir()} == before
    finished = tmp_path / "finished"
    write_bag(finished, [serialize_message(rclpy_transition(1))])
    assert not recover_bag(finished).recovered


def test_finished_file_with_lost_metadata_yaml_gets_it_back(tmp_path):
    bag = tmp_path / "finished"
    write_bag(bag, [serialize_message(rclpy_transition(s)) for s in (1, 2)])
    mcap_bytes = storage_file(bag).read_bytes()
    (bag / "metadata.yaml").unlink()
    assert recover_bag(bag).messages == 2
    assert storage_file(bag).read_bytes() == mcap_bytes  # a finished MCAP file is not rewritten
    assert sequences_in(bag) == [1, 2]


def test_a_bag_with_a_live_writer_is_refused(tmp_path):
    writer = DurableBagWriter(tmp_path / "live")
    writer.add_topic(TOPIC)
    writer.write(TOPIC.name, serialize_message(rclpy_transition(1)), 1)
    assert is_locked(writer.path) and not needs_recovery(writer.path)
    with pytest.raises(BagLocked, match="live"):
        recover_bag(writer.path)
    writer.close()
    assert sequences_in(writer.path) == [1]


def test_garbage_is_refused_with_the_file_name(tmp_path):
    bag = tmp_path / "garbage"
    bag.mkdir()
    (bag / "garbage_0.mcap").write_bytes(os.urandom(3000))
    with pytest.raises(BagCorrupted, match=r"garbage_0\.mcap.*bad magic"):
        recover_bag(bag)
