"""``sarl estop``: engage the driver's e-stop, or clear it with the operator's authority.

    sarl estop engage [--namespace NS]
    sarl estop clear --reason "why it is safe to move" [--operator NAME] [--namespace NS] [--timeout S]

Clearing signs a ``clear_estop`` request with the run secret
(``$SARL_SECRET_FILE``, else ``~/.config/sarl/secret``), so it works only for a
user who can read that file; the driver refuses any other clear. Exit code 0
when the driver accepted, 1 when it refused or did not answer, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys

import rclpy
from rclpy.node import Node
from sarl_auth import SecretError, load_secret
from sarl_auth.estop_clear import signed_clear_request
from sarl_interfaces.srv import ClearEstop
from std_msgs.msg import Bool

from widowx_driver.estop_channel import ESTOP_QOS


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sarl estop", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("engage", "clear"))
    parser.add_argument("--reason", default="", help="why it is safe to move again (required to clear)")
    parser.add_argument("--operator", default=getpass.getuser(), help="who clears it (logged by the driver)")
    parser.add_argument("--namespace", default="", help="the driver's namespace ('' = the root)")
    parser.add_argument("--timeout", type=float, default=10.0, help="[s] wait for the driver at most this long")
    args = parser.parse_args(argv)
    if args.action == "clear" and not args.reason.strip():
        parser.error("clear needs --reason: say why it is safe to move again")
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    secret = None
    if args.action == "clear":
        try:
            secret = load_secret()
        except SecretError as error:
            print(f"cannot clear the e-stop: {error}", file=sys.stderr)
            return 1
    rclpy.init(args=[])
    node = Node("sarl_estop_cli", namespace=args.namespace or "/")
    try:
        return _engage(node, args.timeout) if secret is None else _clear(node, secret, args)
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


def _engage(node: Node, timeout: float) -> int:
    publisher = node.create_publisher(Bool, "estop", ESTOP_QOS)
    publisher.publish(Bool(data=True))
    # Transient-local: a driver that matches later still gets it while this process lives; wait for one.
    deadline = node.get_clock().now().nanoseconds + int(timeout * 1e9)
    while publisher.get_subscription_count() == 0 and node.get_clock().now().nanoseconds < deadline:
        rclpy.spin_once(node, timeout_sec=0.1)
    if publisher.get_subscription_count() == 0:
        print(f"e-stop published, but no subscriber of {publisher.topic_name} within {timeout} s", file=sys.stderr)
        return 1
    rclpy.spin_once(node, timeout_sec=0.5)  # let the reliable sample reach the matched readers
    print(f"e-stop engaged on {publisher.topic_name}")
    return 0


def _clear(node: Node, secret: bytes, args: argparse.Namespace) -> int:
    client = node.create_client(ClearEstop, "clear_estop")
    if not client.wait_for_service(timeout_sec=args.timeout):
        print(f"no driver answers {client.srv_name} within {args.timeout} s", file=sys.stderr)
        return 1
    signed = signed_clear_request(secret, args.operator, args.reason)
    request = ClearEstop.Request(operator_name=signed.operator_name, reason=signed.reason, stamp_ns=signed.stamp_ns,
                                 nonce=signed.nonce, mac=list(signed.mac))  # fmt: skip
    future = client.call_async(request)
    rclpy.spin_until_future_complete(node, future, timeout_sec=args.timeout)
    if not future.done():
        print(f"the driver did not answer within {args.timeout} s", file=sys.stderr)
        return 1
    response = future.result()
    print(("cleared: " if response.accepted else "refused: ") + response.message)
    return 0 if response.accepted else 1


if __name__ == "__main__":
    sys.exit(main())
