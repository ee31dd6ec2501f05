"""Issue #21's attack on the data path, repeated against the real recorder process over DDS.

A hostile peer without the run secret publishes, under the agent's own run id: unsigned transitions
reusing the agent's sequence numbers, transitions with a random MAC, malformed ones (NaN reward, index
outside the candidates), an 8 MB prompt and a 10^6-element q_values, transitions for 300 fake run ids,
and every real transition it sees again, verbatim and with a new stamp. The bag must hold the agent's
transitions only, once each, and ``inspect`` must show what the agent sent.
"""

from __future__ import annotations

import re
import sys
import time

import pytest
from sarl_agent.bag import inspect
from sarl_agent.bag.reader import BagSet, find_bags
from sarl_agent.nodes.recorder_node import TRANSITION_QOS
from sarl_auth import load_or_create_secret
from sarl_interfaces.msg import SemanticTransition
from support.processes import PeerProcess
from support.ros_node import wait_until

from .conftest import PEERS, TASK, VerifiedAcks, legit_transition, start_recorder

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DDS peers as processes")

RUN_ID = "victim-run"
LEGIT = 20
"""4 episodes of 5 steps: SUCCESS, FAILURE, SUCCESS, FAILURE."""


def test_the_bag_holds_only_the_agents_transitions_under_attack(spun_node, peers, tmp_path, capsys):
    bag_dir = tmp_path / "bags"
    node = spun_node.node
    acks = VerifiedAcks(node, RUN_ID)
    publisher = node.create_publisher(SemanticTransition, "sarl/transitions", TRANSITION_QOS)
    recorder = start_recorder(bag_dir, tmp_path / "recorder.log")
    peers.append(recorder)
    wait_until(lambda: publisher.get_subscription_count() >= 1, 30, "the recorder to subscribe")
    for sequence in range(1, LEGIT // 2 + 1):
        publisher.publish(acks.sent(legit_transition(sequence, RUN_ID)))
    attacker = PeerProcess.python(PEERS / "attacker.py", RUN_ID, "transitions", log_dir=tmp_path)
    peers.append(attacker)
    wait_until(lambda: "done" in attacker.log_text(), 120, "the attacker to publish everything")
    after_attack = time.monotonic()
    for sequence in range(LEGIT // 2 + 1, LEGIT + 1):
        publisher.publish(acks.sent(legit_transition(sequence, RUN_ID)))
    wait_until(lambda: acks.sequences() == set(range(1, LEGIT + 1)), 120, "the agent's transitions acknowledged")
    ack_delay = time.monotonic() - after_attack  # printed, not asserted (wall clock on a shared machine)
    # Every real transition acknowledged, and again for the attacker's verbatim replay of it (stored once).
    try:
        wait_until(lambda: acks.sequences() == set(range(1, LEGIT + 1)) and min(acks.stored.values()) >= 2, 120,
                   "the agent's transitions and the attacker's verbatim replays to be acknowledged")
    except TimeoutError as timeout:
        raise AssertionError(f"{timeout}: acks {dict(acks.stored)}, {acks.forged} unverifiable\n"
                             f"recorder: {recorder.log_text()[-3000:]}\n"
                             f"attacker: {attacker.log_text()[-2000:]}") from None
    assert recorder.stop() == 0
    log = recorder.log_text()

    assert len(find_bags([bag_dir])) == 1  # no bag for the attacker's 300 run ids
    everything = BagSet([bag_dir])  # not verified: what is physically in the bag
    stored = [m.msg for m in everything.transitions()]
    assert sorted(m.sequence for m in stored) == list(range(1, LEGIT + 1))
    assert {m.task for m in stored} == {TASK} and everything.report.duplicates == 0
    verified = BagSet([bag_dir], secret=load_or_create_secret())
    assert len(list(verified.transitions())) == LEGIT and verified.report.forged == verified.report.unsigned == 0

    capsys.readouterr()
    assert inspect.main([str(bag_dir)]) == 0
    table = capsys.readouterr().out
    assert "attacker" not in table and "every transition signed" in table
    assert re.search(r"episodes: 2 FAILURE, 2 SUCCESS", table), table

    refused = dict((reason, int(n)) for n, reason in re.findall(r"(\d+) (oversize|unsigned|forged|malformed|"
                                                                r"sequence_reused|too_many_runs)", log.split(
                                                                    "refused:")[-1]))
    sent = dict((kind, int(n)) for kind, n in re.findall(r"sent (.+) (\d+)", attacker.log_text()))
    print(f"attack table: attacker sent {sent} + {LEGIT} verbatim replays and {LEGIT} re-stamped copies; "
          f"recorder refused {refused}; stored {len(stored)} of the agent's {LEGIT}; acks per sequence "
          f"{sorted(set(acks.stored.values()))}; the last {LEGIT // 2} acknowledged {ack_delay:.1f} s after "
          "being published behind the attack")
    assert refused.get("oversize") == 2  # the 8 MB prompt and the 10^6 q_values, refused before deserializing
    assert refused.get("unsigned") == 100 + 2 + 300  # duplicated sequences, NaN reward / bad index, fake runs
    assert refused.get("forged", 0) >= 100 + LEGIT - 1  # random MACs; re-stamped replays (the last may be in flight)
    assert acks.forged == 0
