"""DurableBagWriter output: what rosbags, the mcap reader and rclpy see, and what rosbag2 would write."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from mcap.reader import make_reader
from rclpy.serialization import deserialize_message, serialize_message
from rosbags.highlevel import AnyReader
from rosbags.interfaces import QosDurability, QosHistory, QosReliability
from rosbags.rosbag2 import Reader
from sarl_interfaces.msg import SemanticTransition

from sarl_agent.bag.convert import decode_image
from sarl_agent.bag.lock import LOCK_FILE, is_locked
from sarl_agent.bag.message_definition import full_definition
from sarl_agent.bag.reader import read_unfinished
from sarl_agent.bag.typestore import interface_share_dir, rosidl_type_hash
from sarl_agent.bag.writer import DurableBagWriter

from .helpers import TOPIC, camera_pattern, rclpy_transition, write_bag

MSGTYPE = "sarl_interfaces/msg/SemanticTransition"


@pytest.fixture
def written(tmp_path):
    messages = [rclpy_transition(sequence, step=sequence - 1) for sequence in range(1, 6)]
    bag = tmp_path / "run-test_2025_01_01-00_00_00"
    write_bag(bag, [serialize_message(m) for m in messages])
    return bag, messages


def test_rosbags_reads_topic_type_hash_qos_and_rclpy_equal_messages(written):
    bag, messages = written
    with Reader(bag) as reader:
        (connection,) = reader.connections
        assert (connection.topic, connection.msgtype) == ("/sarl/transitions", MSGTYPE)
        assert connection.digest == rosidl_type_hash("SemanticTransition")
        (qos,) = connection.ext.offered_qos_profiles
        assert (qos.history, qos.reliability, qos.durability) == (
            QosHistory.UNKNOWN, QosReliability.RELIABLE, QosDurability.TRANSIENT_LOCAL)
        raws = [bytes(raw) for _, _, raw in reader.messages()]
    assert [deserialize_message(raw, SemanticTransition) for raw in raws] == messages


def test_types_rebuilt_from_the_bag_alone_match_the_rosidl_hash_and_images_decode(written):
    bag, _ = written
    with AnyReader([bag]) as reader:  # no typestore given: the schema text in the bag must suffice
        decoded = [reader.deserialize(raw, c.msgtype) for c, _, raw in reader.messages()]
    assert [m.sequence for m in decoded] == [1, 2, 3, 4, 5]
    assert decoded[2].chosen_prompt == "open the drawer"
    image = decode_image(decoded[2].observation.image)
    assert image.shape == (256, 256, 3)
    assert np.abs(image.astype(int) - camera_pattern(3)).mean() < 3


def test_mcap_file_has_rosbag2_profile_schema_channel_metadata_and_index(written):
    bag, messages = written
    (mcap,) = bag.glob("*.mcap")
    assert mcap.name == f"{bag.name}_0.mcap"
    with mcap.open("rb") as stream:
        reader = make_reader(stream)
        assert reader.get_header().profile == "ros2"
        summary = reader.get_summary()
        (schema,) = summary.schemas.values()
        (channel,) = summary.channels.values()
        assert (schema.name, schema.encoding) == (MSGTYPE, "ros2msg")
        assert (channel.topic, channel.message_encoding) == ("/sarl/transitions", "cdr")
        assert channel.metadata["topic_type_hash"] == rosidl_type_hash("SemanticTransition")
        assert yaml.safe_load(channel.metadata["offered_qos_profiles"])[0]["durability"] == "transient_local"
        assert summary.statistics.message_count == 5
        assert summary.chunk_indexes and all(index.message_index_offsets for index in summary.chunk_indexes)
        payloads = [bytes(message.data) for _, _, message in reader.iter_messages(log_time_order=True)]
        rosbag2_record = {m.name: m.metadata for m in reader.iter_metadata()}["rosbag2"]
    assert [deserialize_message(p, SemanticTransition) for p in payloads] == messages
    assert yaml.safe_load(rosbag2_record["serialized_metadata"])["message_count"] == 5


def test_schema_text_is_the_installed_msg_files_like_rosbag2_writes(written):
    text = full_definition(MSGTYPE)
    own = (interface_share_dir() / "msg" / "SemanticTransition.msg").read_text()
    assert text.startswith(own)
    assert "\n" + "=" * 80 + "\nMSG: std_msgs/Header\n" in text
    assert "\nMSG: sarl_interfaces/Observation\n" in text and "\nMSG: sensor_msgs/CompressedImage\n" in text
    assert text.count("MSG: builtin_interfaces/Time\n") == 1  # each dependency once


def test_metadata_yaml_is_rosbag2_version_9(written):
    bag, _ = written
    info = yaml.safe_load((bag / "metadata.yaml").read_text())["rosbag2_bagfile_information"]
    assert (info["version"], info["storage_identifier"], info["message_count"]) == (9, "mcap", 5)
    assert info["relative_file_paths"] == [f"{bag.name}_0.mcap"]
    (topic,) = info["topics_with_message_count"]
    assert topic["message_count"] == 5
    assert topic["topic_metadata"]["type_description_hash"] == rosidl_type_hash("SemanticTransition")
    assert topic["topic_metadata"]["offered_qos_profiles"][0]["deadline"] == {"sec": 9223372036, "nsec": 854775807}
    assert info["custom_data"] == {"sarl.run_id": "run-test"}
    assert info["files"][0]["message_count"] == 5 and info["ros_distro"]
    assert not (bag / LOCK_FILE).exists()


def test_every_written_message_is_on_disk_before_close(tmp_path):
    writer = DurableBagWriter(tmp_path / "live")
    writer.add_topic(TOPIC)
    assert is_locked(writer.path)
    for sequence in range(1, 4):
        writer.write(TOPIC.name, serialize_message(rclpy_transition(sequence)), sequence)
        on_disk = [m.msg.sequence for m in read_unfinished(writer.path, (MSGTYPE,))]
        assert on_disk == list(range(1, sequence + 1))
    writer.close()
    assert not is_locked(writer.path)


def test_a_bag_directory_is_never_overwritten(written):
    bag, _ = written
    with pytest.raises(FileExistsError, match=str(bag)):
        DurableBagWriter(bag)
