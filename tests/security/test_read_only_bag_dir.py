"""The real recorder process on a read-only bag folder: said once, nothing acknowledged, all stored once writable."""

from __future__ import annotations

from sarl_agent.bag.reader import BagSet
from sarl_agent.nodes.recorder_node import TRANSITION_QOS
from sarl_auth import load_or_create_secret
from sarl_interfaces.msg import SemanticTransition
from support.ros_node import wait_until

from .conftest import VerifiedAcks, legit_transition, start_recorder

RUN_ID = "read-only-run"
COUNT = 10


def test_a_read_only_bag_folder_is_reported_once_and_nothing_is_acknowledged(tmpfs, spun_node, peers, tmp_path):
    tmpfs.read_only()
    node = spun_node.node
    acks = VerifiedAcks(node, RUN_ID)
    publisher = node.create_publisher(SemanticTransition, "sarl/transitions", TRANSITION_QOS)
    recorder = start_recorder(tmpfs.path / "bags", tmp_path / "recorder.log")
    peers.append(recorder)
    wait_until(lambda: publisher.get_subscription_count() >= 1, 30, "the recorder to subscribe")
    sent = [acks.sent(legit_transition(sequence, RUN_ID)) for sequence in range(1, COUNT + 1)]
    for message in sent:
        publisher.publish(message)
    wait_until(lambda: len(acks.refusals()) >= COUNT, 60, f"{COUNT} signed 'not stored' answers")
    assert not acks.sequences() and {error.split(": ")[-1] for error in acks.refusals()} == {"Read-only file system"}

    tmpfs.writable()
    for message in sent:  # the agent's re-send
        publisher.publish(message)
    wait_until(lambda: acks.sequences() == set(range(1, COUNT + 1)), 60, "every transition acknowledged")
    assert recorder.stop() == 0
    log = recorder.log_text()
    reports = [line for line in log.splitlines() if "[ERROR]" in line and "cannot store transitions in" in line]
    assert len(reports) == 1 and "Read-only file system" in reports[0], log
    assert "storing again" in log
    stored = BagSet([tmpfs.path / "bags"], secret=load_or_create_secret())
    assert sorted(m.msg.sequence for m in stored.transitions()) == list(range(1, COUNT + 1))
    print(f"read-only bag folder: {len(acks.refusals())} answers 'not stored', 0 acknowledged, "
          f"{len(reports)} error line in the recorder log; after remounting writable {COUNT}/{COUNT} stored")
