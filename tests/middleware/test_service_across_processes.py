"""ProposePrompts request and response between two OS processes over real DDS."""

from pathlib import Path

from sarl_interfaces.srv import ProposePrompts
from support.processes import PeerProcess
from support.ros_node import wait_future

PEERS = Path(__file__).parent / "peers"


def test_propose_prompts_round_trip(spun_node, peers, tmp_path, namespace, ns_args):
    peers.append(PeerProcess.python(PEERS / "propose_prompts_server.py", *ns_args, log_dir=tmp_path))
    client = spun_node.node.create_client(ProposePrompts, f"{namespace}/propose_prompts")
    assert client.wait_for_service(timeout_sec=40.0), "service in the peer process never appeared"

    request = ProposePrompts.Request(task="move the banana to the pot", history=["pick up the banana"])
    request.image.format = "jpeg"
    request.image.data = bytes(range(256)) * 4
    response = wait_future(client.call_async(request), 20)

    assert response.success
    assert response.prompts == ["pick up the pot"]
    assert response.error == "image bytes: 1024"
    assert not response.from_cache
