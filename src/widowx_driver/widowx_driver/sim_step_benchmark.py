"""What one ``arm_command`` costs the driver on each simulated world: envelope + state + apply, then the cameras.

Why here and not in ``sarl_sim.physics.benchmark``: this is the driver's path (its envelope, its backend
classes, the physics renders on their own thread), measured in one process on one scene so the worlds compare.
``python -m widowx_driver.sim_step_benchmark [--steps N] [--size PX]``; CPU time includes the render thread.
"""

from __future__ import annotations

import argparse
import time


from sarl_sim.physics.benchmark import TASK, sweep_deltas

from widowx_driver.backend_factory import make_backend
from widowx_driver.driver_config import DriverConfig
from widowx_driver.safety_envelope import SafetyEnvelope
from widowx_driver.wrist_view import WristView

def measure(world: str, steps: int, size: int) -> dict[str, tuple[float, float]]:
    """(CPU ms, wall ms) per command for: apply only, + the third-person frame, + the rendered wrist frame."""
    config = DriverConfig(sim_world=world, task_name=TASK, image_width=size, image_height=size)
    envelope = SafetyEnvelope(config.envelope)
    backend = make_backend(config)
    backend.connect()
    try:
        stages = {"apply": [], "+bridge camera": [backend.camera_frame]}
        if isinstance(backend, WristView):
            stages["+wrist camera"] = [backend.camera_frame, backend.wrist_frame]
        backend.camera_frame()  # the first frame uploads the model to OpenGL
        results = {}
        for label, cameras in stages.items():
            cpu, wall = time.process_time(), time.perf_counter()
            for delta in sweep_deltas(steps):
                backend.apply(envelope.filter(backend.state(), delta).delta)
                for camera in cameras:
                    camera()
            results[label] = ((time.process_time() - cpu) / steps * 1e3, (time.perf_counter() - wall) / steps * 1e3)
        return results
    finally:
        backend.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50, help="commands per configuration")
    parser.add_argument("--size", type=int, default=96, help="image side (px); the physics renders at most 128")
    args = parser.parse_args(argv)
    print(f"driver sim path ({TASK}, seed 0), per arm_command, mean of {args.steps}:")
    for world in ("kinematic", "physics"):
        for label, (cpu, wall) in measure(world, args.steps, args.size).items():
            print(f"  {world:<10} {label:<16} CPU {cpu:6.2f} ms   wall {wall:6.2f} ms")


if __name__ == "__main__":
    main()
