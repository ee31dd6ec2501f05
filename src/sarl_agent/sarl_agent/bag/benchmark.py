"""``python -m sarl_agent.bag.benchmark``: bag write/read throughput and offline replay speed.

Prints numbers, asserts nothing. Measures:

1. Recorder writes: transitions/s into a ``DurableBagWriter`` with two
   256x256 JPEG frames per transition, fsync per message (what the recorder
   does before acknowledging) and, for comparison, without fsync.
2. Read-back: transitions/s through ``BagSet`` (rosbags, types from the bag),
   then also decoding both JPEG frames; recovery of a killed writer's bag.
3. Replay on a synthetic 10,000-transition bag: bag decoding into a fresh
   ``SarlAgentCore`` (cache rebuilt from texts), TD updates/s, and the
   end-to-end rate (updates / (decoding + updating)), for the default
   learning config and for one with the image encoder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import torch
import yaml

from ..jpeg import decode_image
from ..learning.config import SarlConfig
from ..learning.trainer import SarlAgentCore
from ..learning_config_file import DEFAULT_LEARNING_CONFIG, resolve_learning_config
from .convert import serialize
from .dataset import BagDataset
from .reader import BagSet
from .recovery import recover_bag
from .synthetic import synthetic_messages, transition_topic, write_synthetic_bag
from .writer import DurableBagWriter

def _config(image: bool) -> SarlConfig:
    data = yaml.safe_load(resolve_learning_config(DEFAULT_LEARNING_CONFIG).read_text()) or {}
    if image:
        data.setdefault("encoder", {})["kind"] = ["history", "proprio", "image"]
        data["encoder"]["image_size"] = 64
    return SarlConfig.from_dict(data)


def bench_write(root: Path, count: int) -> Path:
    messages = [serialize(m) for m in synthetic_messages(count, seed=1, run_id="bench-write")]
    size = sum(len(m) for m in messages) / count
    print(f"recorder writes, {count} transitions with 2 x 256x256 JPEG ({size / 1024:.1f} KiB/transition)")
    kept = root / "durable"
    for durable, path in ((True, kept), (False, root / "buffered")):
        writer = DurableBagWriter(path)
        topic = transition_topic()
        writer.add_topic(topic)
        started = time.perf_counter()
        for index, raw in enumerate(messages):
            writer.write(topic.name, raw, 1_700_000_000_000_000_000 + index, durable=durable)
        elapsed = time.perf_counter() - started
        writer.close()
        rate = count / elapsed
        label = "flush + fsync per message" if durable else "flush only (no fsync)   "
        print(f"  {label}  {rate:8.1f} transitions/s  {rate * size / 2**20:6.2f} MiB/s  "
              f"({1000 * elapsed / count:.2f} ms/transition)")
    return kept


def bench_read(bag: Path) -> None:
    print("read-back")
    started = time.perf_counter()
    messages = [m.msg for m in BagSet([bag]).transitions()]
    elapsed = time.perf_counter() - started
    print(f"  deserialize (rosbags)         {len(messages) / elapsed:8.1f} transitions/s")
    started = time.perf_counter()
    for msg in messages:
        decode_image(msg.observation.image)
        decode_image(msg.next_observation.image)
    decode = time.perf_counter() - started
    print(f"  + decode both JPEG frames     {len(messages) / (elapsed + decode):8.1f} transitions/s")
    broken = bag.parent / "killed"
    shutil.copytree(bag, broken)
    (broken / "metadata.yaml").unlink()
    mcap = next(broken.glob("*.mcap"))
    os.truncate(mcap, mcap.stat().st_size * 9 // 10)  # as if SIGKILLed mid-run: no summary, cut record
    mcap.rename(broken / f"{broken.name}_0.mcap")
    started = time.perf_counter()
    report = recover_bag(broken)
    print(f"  recovery of a killed bag      {report.messages / (time.perf_counter() - started):8.1f} transitions/s "
          f"({report.messages} kept)")


def bench_replay(root: Path, count: int, updates: int, image_updates: int) -> None:
    bag = root / "replay_bag"
    started = time.perf_counter()
    write_synthetic_bag(bag, count, seed=2, run_id="bench-replay")
    print(f"replay on a synthetic {count}-transition bag ({_size(bag)}; generated in "
          f"{time.perf_counter() - started:.0f} s)")
    for image, n in ((False, updates), (True, image_updates)):
        core = SarlAgentCore(_config(image))
        dataset = BagDataset([bag], core.cache, decode_images=core.config.uses_image)
        started = time.perf_counter()
        core.train_offline(dataset.transitions(), 0)
        decoding = time.perf_counter() - started
        started = time.perf_counter()
        core.train_offline((), n)
        updating = time.perf_counter() - started
        label = "history+proprio+image 64x64" if image else "history+proprio (default)  "
        print(f"  {label}  decode {dataset.used / decoding:7.1f} transitions/s ({decoding:5.1f} s)   "
              f"TD {n / updating:6.1f} updates/s (batch {core.config.td.batch_size})   "
              f"end-to-end {n / (decoding + updating):6.1f} updates/s for {n} updates")


def _size(path: Path) -> str:
    return f"{sum(f.stat().st_size for f in path.rglob('*')) / 2**20:.0f} MiB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=int, default=300, help="transitions for the write benchmark")
    parser.add_argument("--transitions", type=int, default=10_000, help="size of the replay benchmark bag")
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--image-updates", type=int, default=200)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="sarl_bag_bench_") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        kept = bench_write(root, args.write)
        bench_read(kept)
        bench_replay(root, args.transitions, args.updates, args.image_updates)
        print(f"(total {time.perf_counter() - started:.0f} s; {os.cpu_count()} CPUs, load "
              f"{os.getloadavg()[0]:.1f}, torch {torch.__version__} with 1 thread)")


if __name__ == "__main__":
    main()
