"""The SARL agent node: runs semantic episodes against the node graph and learns online.

Threads: the executor spins in the main thread (services, action responses,
sensor updates); the episode loop runs in its own thread and blocks on
futures through done-callbacks, so no callback ever waits on another.

Data: every transition is signed with the run secret (``bag/transition_mac.py``)
and kept until the recorder's signed acknowledgement says it is stored; acks
that do not verify are ignored. Before each episode the agent holds while the
recorder lags too far behind (``bag/backlog.py``), and at exit it names every
sequence that was never stored.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Any

import rclpy
import torch
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy
from sarl_interfaces.msg import EpisodeStatus, SemanticTransition, TransitionAck
from sarl_interfaces.srv import LabelEpisode
from sarl_auth import SecretError, load_secret
from sarl_node_runtime import exit_process, run_until_signal

from ..agent_settings import AgentSettings
from ..bag.backlog import ACK_GRACE, BacklogLimits, describe_sequences, hold_reason
from ..bag.ledger import AckLedger
from ..bag.transition_mac import ack_verifies, mac_bytes, sign_transition
from ..bag.transition_rules import transition_problem
from ..episode.failure_backoff import FailureBackoff
from ..episode.label_gate import LabelGate
from ..episode.records import EpisodeResult, Phase, StatusSnapshot
from ..episode.robot import Outcome
from ..episode.runner import EpisodeRunner, RunnerConfig
from ..learning.trainer import SarlAgentCore
from ..learning_config_file import load_learning_config
from ..run_log import RunLog
from ..warm_start import warm_start
from .messages import status_msg, transition_msg
from .ros_robot import RobotUnavailable, RosSemanticRobot

STATUS_QOS = QoSProfile(depth=1, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
TRANSITION_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE,
                            durability=DurabilityPolicy.TRANSIENT_LOCAL)
ACK_QOS = QoSProfile(history=HistoryPolicy.KEEP_ALL, reliability=ReliabilityPolicy.RELIABLE)
ACK_WAIT_AT_EXIT = 30.0
"""[s] how long the agent waits at the end of a run for the recorder to acknowledge everything."""
MAX_FAILURE_BACKOFF_S = 30.0
"""[s] longest pause after episodes the robot side could not execute."""
RESEND_CHECK_PERIOD = 1.0
"""[s] how often unacknowledged transitions are checked for re-sending (see bag/ledger.py)."""
MAX_RESEND_INTERVAL = 10.0
"""[s] longest wait between re-sends: the agent holds when too much is unacknowledged, so at most about two
episodes of transitions are re-sent this often, and a recorder whose disk was freed is served again soon."""
ACK_WAIT_ON_SIGNAL = 3.0
"""[s] how long a stopped agent (SIGTERM) waits for the last acknowledgements before naming what is missing;
well inside the launcher's 10 s grace."""


class AgentNode(Node):
    def __init__(self, **node_kwargs: Any) -> None:
        super().__init__("sarl_agent", **node_kwargs)
        for name, default in AgentSettings.defaults().items():
            # A list (warm_start_bags) may also be given as one string: dynamic typing takes either.
            descriptor = ParameterDescriptor(dynamic_typing=isinstance(default, tuple))
            self.declare_parameter(name, list(default) if isinstance(default, tuple) else default, descriptor)
        self.settings = AgentSettings(**{
            name: self.get_parameter(name).value for name in AgentSettings.defaults()
        })
        self.labels = LabelGate()
        self.finished = threading.Event()
        self.stopping = threading.Event()
        """Set when the process is told to stop (signal, launcher gone): the episode thread may then fail
        against a node being destroyed, which is the stop, not an error."""
        self.exit_code = 0
        self._secret = load_secret()  # SecretError (clear message) when the launcher did not create it
        self._limits = BacklogLimits(self.settings.max_unacknowledged, self.settings.max_unacknowledged_age)
        self.storage_error = ""
        """What the recorder last said keeps it from storing ("" once it stores again)."""
        self.forged_acks = 0
        """Acknowledgements ignored because their MAC did not verify."""
        self._status = self.create_publisher(EpisodeStatus, "sarl/episode_status", STATUS_QOS)
        self._transitions = self.create_publisher(SemanticTransition, "sarl/transitions", TRANSITION_QOS)
        # A transition counts as stored only once the recorder acknowledges it (written + fsynced);
        # until then the ledger keeps it and the timer re-sends it. Own group: never waits on the episode thread.
        self._ledger: AckLedger[SemanticTransition] = AckLedger(max_resend_interval=MAX_RESEND_INTERVAL)
        acks = MutuallyExclusiveCallbackGroup()
        self.create_subscription(TransitionAck, "sarl/transition_acks", self._ack_callback, ACK_QOS,
                                 callback_group=acks)
        self.create_timer(RESEND_CHECK_PERIOD, self._resend_callback, callback_group=acks)
        # Its own group: a label must get through while the episode thread is busy waiting on others.
        self.create_service(LabelEpisode, "label_episode", self._label_callback,
                            callback_group=MutuallyExclusiveCallbackGroup())
        self._robot = RosSemanticRobot(self, self.settings, self.labels)
        self._core = self._make_core()
        if self.settings.warm_start_bags:
            self._warm_start()
        self._log = RunLog(self.settings.run_dir)
        self._sequence = 0
        self._last_outcome = Outcome.NONE
        self._runner = EpisodeRunner(self._core, self._robot, RunnerConfig(
            max_steps=self.settings.max_semantic_steps,
            offer_reset_to_home=self.settings.offer_reset_to_home,
        ), on_status=self._publish_status)
        self._thread = threading.Thread(target=self._run, name="episodes", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def core(self) -> SarlAgentCore:
        """The learning core (prompt cache, Q-networks, replay buffer), for tools and tests to inspect."""
        return self._core

    # --------------------------------------------------------------- episode loop
    def _make_core(self) -> SarlAgentCore:
        s = self.settings
        if s.resume and s.checkpoint.is_file():
            core = SarlAgentCore.load_checkpoint(s.checkpoint)
            self.get_logger().info(f"resumed from {s.checkpoint}: {core.counters}")
            return core
        return SarlAgentCore(load_learning_config(s.learning_config_file, s.seed))

    def _warm_start(self) -> None:
        """Before the first episode: cache and replay from the bags (slow for big bags; nothing runs yet)."""
        s = self.settings
        logger = self.get_logger()
        logger.info(f"warm start: reading {list(s.warm_start_bags)}, then {s.warm_start_updates} TD updates")
        report = warm_start(self._core, s.warm_start_bags, s.warm_start_updates,
                            on_problem=logger.error, on_recovery=logger.warning, secret=self._secret)
        logger.info(report.describe())

    def _run(self) -> None:
        s = self.settings
        try:
            self.get_logger().info(f"waiting up to {s.server_timeout:.0f} s for the proposer, the bridge, "
                                   "the reset controller and the driver's arm_state")
            self._robot.wait_for_graph()
            start = self._core.counters["episodes"]
            self.get_logger().info(
                f"run {s.run_id}: {s.episodes or 'unlimited'} episodes of "
                f"{s.task_name if s.reward_source == 'sim' else s.task!r}, rewards from {s.reward_source}")
            backoff = FailureBackoff(s.failure_backoff, max(s.failure_backoff, MAX_FAILURE_BACKOFF_S),
                                     s.max_consecutive_failures)
            episode, labelled = start, 0
            while rclpy.ok(context=self.context) and (not s.episodes or labelled < s.episodes):
                self._hold_while_recorder_lags(episode)
                result = self._runner.run_episode(episode)
                self._publish_transitions(result)
                metrics = self._runner.learn(result)
                self._last_outcome = result.outcome
                self.get_logger().info(self._log.add(result, metrics))
                episode += 1
                if result.outcome != Outcome.ABORT:
                    labelled += 1
                    if labelled % s.checkpoint_every == 0:
                        self._save()
                pause = backoff.after(result)  # TooManyFailures (a RuntimeError) ends the run below
                if pause:
                    self.get_logger().warning(
                        f"episode {result.episode} could not be executed ({backoff.failures} in a row): "
                        f"next episode in {pause:.0f} s")
                    self._sleep(pause)
            self._save()
            self._wait_for_recorder()
            curve = self._log.plot(f"{s.run_id}: {s.task_name if s.reward_source == 'sim' else s.task}")
            self.get_logger().info(f"done: checkpoint {s.checkpoint}, learning curve {curve}")
            self._publish_status(StatusSnapshot(Phase.DONE, "", episode, 0, s.max_semantic_steps,
                                                message=f"finished {episode - start} episodes"))
        except (RobotUnavailable, RuntimeError, ValueError) as error:
            if self.stopping.is_set():
                self.get_logger().info(f"agent stopped mid-episode by the shutdown ({error})")
                return
            self.get_logger().error(f"agent stopped: {error}")
            self.get_logger().debug(traceback.format_exc())
            self.exit_code = 1
            if self._ledger.counts().sent:
                self._wait_for_recorder(ACK_WAIT_ON_SIGNAL)  # and name what the failed run leaves unstored
        finally:
            self.finished.set()

    def _sleep(self, seconds: float) -> None:
        """Sleep, but return at once when the node is shutting down."""
        deadline = time.monotonic() + seconds
        while rclpy.ok(context=self.context) and time.monotonic() < deadline:
            time.sleep(min(0.1, deadline - time.monotonic()))

    def _hold_while_recorder_lags(self, episode: int) -> None:
        """Start no episode (command nothing) while the recorder lags beyond the limits; go on once it has
        stored everything. The operator panel and the log say why."""
        self._ledger.wait_all_acknowledged(ACK_GRACE)
        reason = hold_reason(self._ledger.counts(), self._limits, self.storage_error)
        if reason is None:
            return
        self.get_logger().error(reason)
        task = self.settings.task_name if self.settings.reward_source == "sim" else self.settings.task
        started, shown = time.monotonic(), reason
        self._publish_status(StatusSnapshot(Phase.IDLE, task, episode, 0, self.settings.max_semantic_steps,
                                            message=reason))
        while rclpy.ok(context=self.context) and not self._ledger.wait_all_acknowledged(1.0):
            reason = hold_reason(self._ledger.counts(), self._limits, self.storage_error) or shown
            if reason.split(";")[-1] != shown.split(";")[-1]:  # the cause changed: tell the operator
                shown = reason
                self._publish_status(StatusSnapshot(Phase.IDLE, task, episode, 0, self.settings.max_semantic_steps,
                                                    message=reason))
        message = (f"recorder caught up after {time.monotonic() - started:.0f} s: all "
                   f"{self._ledger.counts().acknowledged} transitions stored; starting episode {episode}")
        self.get_logger().info(message)
        self._publish_status(StatusSnapshot(Phase.IDLE, task, episode, 0, self.settings.max_semantic_steps,
                                            message=message))

    def _wait_for_recorder(self, timeout: float = ACK_WAIT_AT_EXIT) -> None:
        """Before exiting, give the recorder time to confirm the last episodes (their only other copy
        is this process's publisher history, which dies with it), then name exactly what is missing."""
        if self._ledger.wait_all_acknowledged(timeout) and not self._ledger.never_stored():
            self.get_logger().info(f"recorder acknowledged all {self._ledger.counts().sent} transitions")
            return
        missing = self._ledger.never_stored()
        cause = f"the recorder reported: {self.storage_error}" if self.storage_error else "is the recorder running?"
        self.get_logger().error(
            f"{len(missing)} of {self._ledger.counts().sent} transitions of run {self.settings.run_id} were never "
            f"stored (not acknowledged within {timeout:.0f} s); they are in no bag: sequences "
            f"{describe_sequences(missing)} ({cause})")

    def report_unstored_at_shutdown(self) -> None:
        """On SIGTERM mid-run: wait briefly for the last acknowledgements, then name what is not stored."""
        if not self.finished.is_set():
            self._wait_for_recorder(ACK_WAIT_ON_SIGNAL)

    def _save(self) -> None:
        self.settings.checkpoint.parent.mkdir(parents=True, exist_ok=True)
        self._core.save_checkpoint(self.settings.checkpoint)

    def _publish_transitions(self, result: EpisodeResult) -> None:
        """Publish the episode's transitions; each stays in the ledger until the recorder acknowledges it.

        Logs first how much of the earlier episodes the recorder confirmed stored (written + fsynced).
        """
        counts = self._ledger.counts()
        summary = f"recorder acknowledged {counts.acknowledged}/{counts.sent} transitions so far"
        if counts.pending:  # (one severity per logging call site: rclpy refuses a switch)
            self.get_logger().warning(f"{summary} ({counts.pending} not yet, oldest "
                                      f"{counts.oldest_pending_age:.0f} s); publishing {len(result.steps)} more")
        else:
            self.get_logger().info(f"{summary}; publishing {len(result.steps)} more")
        for record in result.steps:
            self._sequence += 1
            message = transition_msg(record, self.settings.run_id, self._sequence)
            message.header.stamp = self.get_clock().now().to_msg()
            sign_transition(self._secret, message)
            self._ledger.add(self._sequence, message)  # before publishing: the ack may come back at once
            problem = transition_problem(message)
            if problem is not None:  # the recorder would refuse it: say so here, never wait for it
                self._ledger.give_up(self._sequence)
                self.get_logger().error(f"transition {self._sequence} (episode {record.episode}, step {record.step}) "
                                        f"cannot be stored and is not sent: {problem.detail}")
                continue
            self._transitions.publish(message)

    def _ack_callback(self, ack: TransitionAck) -> None:
        if ack.run_id != self.settings.run_id:
            return
        pending = self._ledger.pending_payload(ack.sequence)
        if pending is None:
            return  # acknowledged already (a repeated ack), or never sent: nothing to clear
        if not ack_verifies(self._secret, ack, mac_bytes(pending)):
            self.forged_acks += 1
            self.get_logger().warning(f"ignored {self.forged_acks} acknowledgement(s) not signed with the run secret "
                                      f"(latest for sequence {ack.sequence})", throttle_duration_sec=30.0)
            return
        if not ack.stored:
            if ack.error != self.storage_error:
                self.storage_error = ack.error
                self.get_logger().error(f"the recorder cannot store transitions: {ack.error}; they are kept and "
                                        "re-sent, and no new episode starts while too many wait")
            return
        if self.storage_error:
            self.get_logger().info(f"the recorder stores again (was: {self.storage_error})")
            self.storage_error = ""
        self._ledger.acknowledge(ack.sequence)

    def _resend_callback(self) -> None:
        """Re-publish what stays unacknowledged; with no recorder matched, the transient-local history
        delivers it when one starts, so only warn."""
        counts = self._ledger.counts()
        if not counts.pending:
            return
        if self._transitions.get_subscription_count() == 0:
            self.get_logger().warning(
                f"{counts.pending} transitions not acknowledged (oldest {counts.oldest_pending_age:.0f} s): "
                "no recorder is subscribed to sarl/transitions", throttle_duration_sec=30.0)
            return
        due = self._ledger.due()
        for _, message in due:
            self._transitions.publish(message)
        if due:
            self.get_logger().warning(
                f"{counts.pending} transitions not acknowledged (oldest {counts.oldest_pending_age:.0f} s); "
                f"re-sent sequences {[sequence for sequence, _ in due]}")

    def _publish_status(self, snapshot: StatusSnapshot) -> None:
        message = status_msg(snapshot, self.settings.run_id, int(self._last_outcome),
                             len(self._log.labelled), self._log.successes)
        message.header.stamp = self.get_clock().now().to_msg()
        self._status.publish(message)

    # ------------------------------------------------------------------ labels
    def _label_callback(self, request: LabelEpisode.Request, response: LabelEpisode.Response):
        if self.settings.reward_source == "sim" and self.labels.awaiting is None:
            response.accepted = False
            response.reason = "this run is labelled by the simulator's success detector"
            return response
        response.accepted, response.reason = self.labels.offer(request.episode, request.outcome)
        who = request.labeled_by or "operator"
        if response.accepted:
            self.get_logger().info(f"label from {who}: {response.reason}")
        else:
            self.get_logger().warning(f"label from {who} refused: {response.reason}")
        return response


def main(args: list[str] | None = None) -> None:
    torch.set_num_threads(1)  # small networks: a second thread only adds contention with the other nodes
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    try:
        node = AgentNode()
    except SecretError as error:
        rclpy.logging.get_logger("sarl_agent").fatal(f"cannot start without the run secret: {error}")
        rclpy.try_shutdown()
        sys.exit(2)
    except (ValueError, OSError) as error:
        rclpy.logging.get_logger("sarl_agent").fatal(f"invalid configuration: {error}")
        rclpy.try_shutdown()
        sys.exit(2)
    node.start()

    def settle_open_label() -> None:
        node.stopping.set()
        awaiting = node.labels.awaiting
        if awaiting is not None:
            node.labels.close(awaiting, Outcome.ABORT)
        node.report_unstored_at_shutdown()

    run_until_signal(node, MultiThreadedExecutor(num_threads=4), done=node.finished, before_shutdown=settle_open_label)
    exit_process(node.exit_code)
