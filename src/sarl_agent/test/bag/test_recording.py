"""BagRecorder (the recorder node's logic, no DDS): one bag per run, duplicates once, restarts, failed writes."""

from __future__ import annotations

import pytest
from rclpy.serialization import serialize_message

import sarl_agent.bag.writer as writer_module
from sarl_agent.bag.metadata import BagTopic
from sarl_agent.bag.reader import BagSet
from sarl_agent.bag.lock import is_locked
from sarl_agent.bag.recording import BagRecorder, RecorderLogs, Refused, bag_name_prefix
from sarl_agent.bag.writer import DurableBagWriter
from sarl_agent.bag.recovery import is_complete, read_metadata

from .helpers import TOPIC, rclpy_transition, write_bag

STATUS = BagTopic("/sarl/episode_status", "sarl_interfaces/msg/EpisodeStatus", TOPIC.type_hash)


def make_recorder(bag_dir, logs: list[str] | None = None, max_runs: int = 8) -> BagRecorder:
    sink = logs.append if logs is not None else (lambda _: None)
    return BagRecorder(bag_dir, TOPIC.name, {TOPIC.name: TOPIC, STATUS.name: STATUS}.__getitem__,
                       RecorderLogs(sink, sink, sink), max_runs=max_runs)


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


def test_status_messages_go_only_to_a_bag_a_verified_transition_opened(tmp_path):
    recorder = make_recorder(tmp_path)
    status = b"\x00\x01\x00\x00" + b"\x00" * 60
    assert recorder.record(STATUS.name, status, "run-test", 4) is None  # unsigned: never opens a bag
    assert recorder.record(STATUS.name, status, "run-other", 4) is None
    stored = store(recorder, rclpy_transition(1))
    path = recorder.record(STATUS.name, status, "run-test", 5)
    recorder.close()
    assert path == stored.bag and list(tmp_path.iterdir()) == [path]
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
    assert third.bag != first.bag and not is_complete(first.bag)  # abandoned, left for the readers to recover
    assert stored_sequences(tmp_path) == [1, 2, 3] and is_complete(first.bag)  # (2 was flushed, not fsynced)


def test_the_same_sequence_with_other_content_is_refused_not_stored(tmp_path):
    recorder = make_recorder(tmp_path)
    first = store(recorder, rclpy_transition(1))
    other = rclpy_transition(1, reward=1.0, terminal=True)  # signed, same (run id, sequence), other content
    with pytest.raises(Refused) as refused:
        store(recorder, other)
    recorder.close()
    assert refused.value.problem.reason == "sequence_reused"
    assert stored_sequences(first.bag) == [1] and read_metadata(first.bag)["message_count"] == 1


def test_a_recorder_opens_bags_for_at_most_max_runs_run_ids(tmp_path):
    recorder = make_recorder(tmp_path, max_runs=2)
    store(recorder, rclpy_transition(1, run_id="run-a"))
    store(recorder, rclpy_transition(1, run_id="run-b"))
    with pytest.raises(Refused) as refused:
        store(recorder, rclpy_transition(1, run_id="run-c"))
    assert store(recorder, rclpy_transition(2, run_id="run-a")).written  # known runs go on
    recorder.close()
    assert refused.value.problem.reason == "too_many_runs"
    assert sorted(p.name.split("_")[0] for p in tmp_path.iterdir()) == ["run-a", "run-b"]


def test_a_bag_that_fails_to_start_leaves_no_lock_and_no_directory(tmp_path, monkeypatch):
    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        DurableBagWriter(tmp_path / "bag")
    assert not (tmp_path / "bag").exists() and not is_locked(tmp_path / "bag")


def test_after_a_full_disk_the_recorder_remembers_its_abandoned_bag_and_stores_on(tmp_path, monkeypatch):
    logs: list[str] = []
    recorder = make_recorder(tmp_path, logs)
    first = store(recorder, rclpy_transition(1))
    real_fsync = writer_module.os.fsync

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module.os, "fsync", failing_fsync)
    for sequence in (2, 2, 3):  # the write fails, then every new bag fails to start
        with pytest.raises(OSError, match="No space"):
            store(recorder, rclpy_transition(sequence))
    monkeypatch.setattr(writer_module.os, "fsync", real_fsync)
    again = [store(recorder, rclpy_transition(s)) for s in (1, 2, 3)]
    recorder.close()
    assert not again[0].written and again[0].bag == first.bag and again[2].written
    assert not [line for line in logs if "another live recorder" in line], logs
    assert len(list(tmp_path.iterdir())) == 2  # the abandoned bag and one new one: no empty leftovers
    assert sorted(stored_sequences(tmp_path)) == [1, 2, 3]
