"""Reading many bags: a bad one is named and skipped, unfinished ones recovered, duplicates yielded once."""

from __future__ import annotations

import os

import pytest
from rclpy.serialization import serialize_message

from sarl_agent.bag.reader import BagSet, find_bags
from sarl_agent.bag.recovery import is_complete, storage_file
from sarl_agent.bag.scan import McapScan

from .helpers import rclpy_transition, write_bag


def raws(*sequences: int, run_id: str = "run-test") -> list[bytes]:
    return [serialize_message(rclpy_transition(s, run_id=run_id)) for s in sequences]


def test_corrupted_and_truncated_bags_are_named_while_the_others_load(tmp_path):
    write_bag(tmp_path / "a_good", raws(1, 2, 3))
    write_bag(tmp_path / "b_garbage", raws(4, 5))
    storage_file(tmp_path / "b_garbage").write_bytes(os.urandom(5000))  # metadata.yaml intact, data destroyed
    write_bag(tmp_path / "c_truncated", raws(6, 7, 8))
    truncated = storage_file(tmp_path / "c_truncated")
    os.truncate(truncated, truncated.stat().st_size - 700)  # copied half-way: footer, summary and index gone
    write_bag(tmp_path / "d_good", raws(9))
    problems = []

    bags = BagSet([tmp_path], on_problem=problems.append)
    sequences = [m.msg.sequence for m in bags.transitions()]

    assert sequences == [1, 2, 3, 6, 7, 8, 9]
    (problem,) = problems
    assert problem.bag == tmp_path / "b_garbage"
    assert "b_garbage_0.mcap" in str(problem) and "magic" in str(problem)
    (recovered,) = bags.report.recovered
    assert recovered.bag_dir == tmp_path / "c_truncated" and is_complete(tmp_path / "c_truncated")


def test_missing_storage_file_is_a_named_problem(tmp_path):
    write_bag(tmp_path / "lost", raws(1))
    storage_file(tmp_path / "lost").unlink()
    bags = BagSet([tmp_path / "lost"])
    assert list(bags.transitions()) == []
    (problem,) = bags.report.problems
    assert str(tmp_path / "lost") in str(problem)


def test_resends_and_copies_in_two_bags_are_yielded_once_but_a_reused_sequence_is_kept(tmp_path):
    first = rclpy_transition(1)
    again = serialize_message(first)  # a re-send: same message object published again
    reused = rclpy_transition(1)
    reused.header.stamp.sec += 3600  # an agent restarted under the same run id, numbering from 1 again
    write_bag(tmp_path / "a", [serialize_message(first), again, *raws(2)])
    write_bag(tmp_path / "b", [again, *raws(2, 3), serialize_message(reused)])

    bags = BagSet([tmp_path / "a", tmp_path / "b"])
    read = [(m.msg.sequence, m.msg.header.stamp.sec) for m in bags.transitions()]

    assert read == [(1, first.header.stamp.sec), (2, 1_700_000_002), (3, 1_700_000_003), (1, reused.header.stamp.sec)]
    assert bags.report.duplicates == 3 and bags.report.collisions == 1


def test_without_recovery_an_unfinished_bag_is_read_as_it_is_and_left_unchanged(tmp_path):
    write_bag(tmp_path / "killed", raws(1, 2), finish=False)
    before = sorted(p.name for p in (tmp_path / "killed").iterdir())
    bags = BagSet([tmp_path / "killed"], recover=False)
    assert [m.msg.sequence for m in bags.transitions()] == [1, 2]
    assert bags.report.live == [tmp_path / "killed"]
    assert sorted(p.name for p in (tmp_path / "killed").iterdir()) == before


def test_find_bags_accepts_bag_dirs_mcap_files_and_folders(tmp_path):
    write_bag(tmp_path / "runs" / "x", raws(1))
    write_bag(tmp_path / "runs" / "nested" / "y", raws(2))
    lone = storage_file(tmp_path / "runs" / "x")
    assert find_bags([tmp_path / "runs"]) == [tmp_path / "runs" / "nested" / "y", tmp_path / "runs" / "x"]
    assert find_bags([lone]) == [lone]
    assert [m.msg.sequence for m in BagSet([lone]).transitions()] == [1]
    with pytest.raises(FileNotFoundError, match="nowhere"):
        find_bags([tmp_path / "nowhere"])


def flip_byte_inside_message(bag, sequence_index: int) -> None:
    """Bit rot in the middle of the file: one byte inside the payload of the n-th message's chunk."""
    ends = []
    scan = McapScan(storage_file(bag))
    for record in scan.records():
        if type(record).__name__ == "Message":
            ends.append(scan.state.record_end)
    path = storage_file(bag)
    data = bytearray(path.read_bytes())
    data[ends[sequence_index] - 2000] ^= 0xFF  # inside the JPEG bytes of that chunk, well before its end
    path.write_bytes(bytes(data))


def test_a_damaged_chunk_in_a_finished_bag_costs_only_its_own_messages(tmp_path):
    write_bag(tmp_path / "rotten", raws(1, 2, 3, 4, 5))
    flip_byte_inside_message(tmp_path / "rotten", 2)
    bags = BagSet([tmp_path / "rotten"])
    assert sorted(m.msg.sequence for m in bags.transitions()) == [1, 2, 4, 5]
    (problem,) = bags.report.problems
    assert "rotten" in str(problem) and "record by record" in str(problem)


def test_a_bag_written_before_transitions_had_a_mac_reads_as_unsigned(tmp_path):
    """Types come from the bag's own schema: an old bag (no ``mac`` field) still reads, and counts as unsigned."""
    from rosbags.rosbag2 import StoragePlugin, Writer
    from rosbags.typesys import Stores, get_types_from_msg, get_typestore

    from sarl_agent.bag.synthetic import synthetic_messages
    from sarl_agent.bag.typestore import interface_share_dir

    old = get_typestore(Stores.ROS2_KILTED)
    for name in ("Observation", "CandidateSet", "SemanticTransition"):
        text = (interface_share_dir() / "msg" / f"{name}.msg").read_text()
        text = "\n".join(line for line in text.splitlines() if not line.startswith("uint8[] mac"))
        old.register(get_types_from_msg(text, f"sarl_interfaces/msg/{name}"))
    msgtype = "sarl_interfaces/msg/SemanticTransition"
    assert "mac" not in old.types[msgtype].__dataclass_fields__
    bag = tmp_path / "old"
    with Writer(bag, version=9, storage_plugin=StoragePlugin.MCAP) as writer:
        connection = writer.add_connection("/sarl/transitions", msgtype, typestore=old)
        for index, msg in enumerate(synthetic_messages(12, seed=1, with_images=False)):
            fields = {name: getattr(msg, name) for name in old.types[msgtype].__dataclass_fields__}
            writer.write(connection, 1_000 + index, old.serialize_cdr(old.types[msgtype](**fields), msgtype))

    assert len(list(BagSet([bag]).transitions())) == 12  # not verified: read as before
    verified = BagSet([bag], secret=b"the run secret of today, 32 byte")
    assert list(verified.transitions()) == [] and (verified.report.unsigned, verified.report.forged) == (12, 0)
    assert "skipped 12 transitions (12 unsigned, 0 forged)" in verified.report.verification()
