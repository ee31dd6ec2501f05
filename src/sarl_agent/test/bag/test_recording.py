"""BagRecorder (the recorder node's logic, no DDS): one bag per run, duplicates once, restarts, failed writes."""

from __future__ import annotations

import pytest
from rclpy.serialization import serialize_message

import sarl_agent.bag.writer as writer_module
from sarl_agent.bag.metadata import BagTopic
from sarl_agent.bag.reader import BagSet
from sarl_agent.bag.recording import BagRecorder, RecorderLogs, bag_name_prefix
from sarl_agent.bag.recovery import is_complete, read_metadata

from .helpers import TOPIC, rclpy_transition, write_bag

STATUS = BagTopic("/sarl/episode_status", "sarl_interfaces/msg/EpisodeStatus", TOPIC.type_hash)


def make_recorder(bag_dir, logs: list[str] | None = None) -> BagRecorder:
    sink = logs.append if logs is not None else (lambda _: None)
    return BagRecorder(bag_dir, TOPIC.name, {TOPIC.name: TOPIC, STATUS.name: STATUS}.__getitem__,
                       RecorderLogs(sink, sink, sink))


def store(recorder: BagRecorder, msg):
    return recorder.record_transition(serialize_message(msg), msg, log_time_ns=msg.sequence)


def stored_sequences(bag_dir) -> list[int]:
    return sorted(m.msg.sequence for m in BagSet([bag_dir]).transitions())


def test_a_resend_is_acknowledged_with_its_bag_but_written_once(tmp_path):
    recorder = make_recorder(tmp_path)
    msg = rclpy_transition(1)
    first, again = store(recorder, msg), store(recorder, msg)  # rclpy re-serializes: bytes may differ
    assert first.written and not again.written and first.bag == again.bag
    assert first.bag.name.startswith("run-test_") and first.bag.parent == tmp_path
    recorder.close()
    assert is_complete(first.bag)
    assert read_metadata(first.bag)["message_count"] == 1


def test_each_run_gets_its_own_bag_named_by_run_id(tmp_path):
    recorder = make_recorder(tmp_path)
    a = store(recorder, rclpy_transition(1, run_id="run-a"))
    b = store(recorder, rclpy_transition(1, run_id="run/b weird"))
    recorder.close()
    assert a.bag != b.bag
    assert a.bag.name.startswith("run-a_") and b.bag.name.startswith(bag_name_prefix("run/b weird") + "_")
    assert stored_sequences(a.bag) == stored_sequences(b.bag) == [1]


def test_a_restarted_recorder_recovers_the_killed_bag_and_skips_what_it_holds(tmp_path):
    killed = tmp_path / "run-test_2025_01_01-00_00_00"
    write_bag(killed, [serialize_message(rclpy_transition(s)) for s in (1, 2, 3)], finish=False)
    logs: list[str] = []
    recorder = make_recorder(tmp_path, logs)
    results = {s: store(recorder, rclpy_transition(s)) for s in range(1, 6)}  # the run's history again
    recorder.close()
    assert [s for s, r in results.items() if r.written] == [4, 5]
    assert {results[s].bag for s in (1, 2, 3)} == {killed}
    assert is_complete(killed) and stored_sequences(killed) == [1, 2, 3]
    assert stored_sequences(results[4].bag) == [4, 5]
    assert any("recovered 3 messages" in line for line in logs)


def test_status_messages_go_to_the_run_bag(tmp_path):
    recorder = make_recorder(tmp_path)
    path = recorder.record(STATUS.name, b"\x00\x01\x00\x00" + b"\x00" * 60, "run-test", 5)
    stored = store(recorder, rclpy_transition(1))
    recorder.close()
    assert path == stored.bag
    counts = {t["topic_metadata"]["name"]: t["message_count"]
              for t in read_metadata(path)["topics_with_message_count"]}
    assert counts == {STATUS.name: 1, TOPIC.name: 1}


def test_a_failed_write_is_not_acknowledged_and_the_next_one_opens_a_new_bag(tmp_path, monkeypatch):
    recorder = make_recorder(tmp_path)
    first = store(recorder, rclpy_transition(1))
    real_fsync = writer_module.os.fsync

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(writer_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output"):
        store(recorder, rclpy_transition(2))
    monkeypatch.setattr(writer_module.os, "fsync", real_fsync)
    third = store(recorder, rclpy_transition(3))
    recorder.close()
    assert third.bag != first.bag and is_complete(first.bag)  # the abandoned bag was recovered
    assert sorted(stored_sequences(first.bag) + stored_sequences(third.bag)) == [1, 2, 3]
