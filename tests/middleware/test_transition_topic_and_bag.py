"""A SemanticTransition with a real image crosses processes, then a rosbag2 MCAP bag and back."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from mcap.reader import make_reader
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.serialization import deserialize_message, serialize_message
from rosbags.rosbag2 import Reader, StoragePlugin, Writer
from sarl_agent.bag.typestore import msgtype_name, rosidl_type_hash, sarl_typestore
from sarl_interfaces.msg import SemanticTransition
from support.processes import PeerProcess
from support.ros_node import wait_until

PEERS = Path(__file__).parent / "peers"
TOPIC = "/sarl/transitions"
MSGTYPE = msgtype_name("SemanticTransition")


@pytest.fixture
def received_transition(spun_node, peers, tmp_path, namespace, ns_args) -> SemanticTransition:
    received: list[SemanticTransition] = []
    qos = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
    spun_node.node.create_subscription(SemanticTransition, f"{namespace}/sarl/transitions", received.append, qos)
    peers.append(PeerProcess.python(PEERS / "transition_publisher.py", *ns_args, log_dir=tmp_path))
    wait_until(lambda: bool(received), 40, "a SemanticTransition from the peer process")
    return received[0]


def decode_rgb(data: bytes) -> np.ndarray:
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def test_transition_arrives_with_decodable_image(received_transition):
    msg = received_transition
    assert (msg.run_id, msg.episode, msg.sequence, msg.chosen_prompt) == ("run-middleware", 3, 42, "put it in the pot")
    assert list(msg.candidates.prompts) == ["reset to home", "pick up the banana", "put it in the pot"]
    image = decode_rgb(bytes(msg.observation.image.data))
    assert image.shape == (256, 256, 3)
    assert np.abs(image[60, 60].astype(int) - (255, 0, 0)).max() < 20
    assert np.abs(image[230, 128].astype(int) - (0, 0, 255)).max() < 20


def test_transition_round_trips_through_an_mcap_bag(received_transition, tmp_path):
    store = sarl_typestore()
    bag = tmp_path / "bag"
    raw = serialize_message(received_transition)
    with Writer(bag, version=9, storage_plugin=StoragePlugin.MCAP) as writer:
        connection = writer.add_connection(TOPIC, MSGTYPE, typestore=store)
        for index in range(3):
            writer.write(connection, 1_000 + index, raw)

    assert (bag / "metadata.yaml").is_file()
    with Reader(bag) as reader:
        (connection,) = reader.connections
        assert connection.msgtype == MSGTYPE
        assert connection.digest == rosidl_type_hash("SemanticTransition")
        messages = list(reader.messages())
    assert [timestamp for _, timestamp, _ in messages] == [1_000, 1_001, 1_002]

    back = deserialize_message(bytes(messages[0][2]), SemanticTransition)
    assert back == received_transition
    parsed = store.deserialize_cdr(bytes(messages[0][2]), MSGTYPE)
    assert parsed.chosen_prompt == "put it in the pot"
    assert decode_rgb(bytes(parsed.observation.image.data)).shape == (256, 256, 3)

    (mcap_file,) = bag.glob("*.mcap")
    with mcap_file.open("rb") as stream:
        summary = make_reader(stream).get_summary()
    (schema,) = summary.schemas.values()
    assert schema.name == MSGTYPE
    assert summary.statistics.message_count == 3
