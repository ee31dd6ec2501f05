"""A hostile peer that cancels every goal of the agent's two actions for a while (issue #21's cancel storm).

Usage: canceler.py SECONDS RATE_HZ [--ros-args ...]
Sends action_msgs' CancelGoal with an empty goal id and a zero stamp ("cancel every goal") to
execute_prompt and reset_to_home at RATE_HZ for SECONDS, the way any node on the DDS domain can: the
cancel service of a ROS 2 action carries no identity. Prints "canceled <action> <n>" (goals the server
said it was canceling) per action and "done".
"""

import sys
import threading
import time

import rclpy
from action_msgs.srv import CancelGoal
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

ACTIONS = ("execute_prompt", "reset_to_home")


def main() -> None:
    seconds, rate_hz = float(sys.argv[1]), float(sys.argv[2])
    rclpy.init(args=sys.argv, signal_handler_options=SignalHandlerOptions.NO)
    node = Node("canceler")
    clients = {name: node.create_client(CancelGoal, f"{name}/_action/cancel_goal") for name in ACTIONS}
    for name, client in clients.items():
        if not client.wait_for_service(timeout_sec=60.0):
            print(f"no {name} cancel service", flush=True)
    canceled = {name: 0 for name in ACTIONS}
    lock = threading.Lock()

    def count(name):
        def done(future):
            with lock:
                canceled[name] += len(future.result().goals_canceling)
        return done

    executor = SingleThreadedExecutor()
    executor.add_node(node)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    spinner.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, client in clients.items():
            client.call_async(CancelGoal.Request()).add_done_callback(count(name))
        time.sleep(1.0 / rate_hz)
    time.sleep(1.0)  # the last answers
    with lock:
        for name, n in canceled.items():
            print(f"canceled {name} {n}", flush=True)
    print("done", flush=True)
    executor.shutdown(timeout_sec=2.0)
    spinner.join(timeout=5.0)
    node.destroy_node()
    rclpy.try_shutdown()


if __name__ == "__main__":
    main()
