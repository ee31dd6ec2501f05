"""Bags -> the core transitions offline replay learns from, in one streaming pass.

Why streaming with per-episode holding: a 10,000-transition bag with images
does not fit in memory as decoded frames, but the replay buffer stores them
downscaled as they arrive. Only the transitions of episodes still open are
held back, because an episode is learned from only once its outcome is known
and it is a labelled success or failure (complete, not aborted) - the same
rule the online agent follows (``EpisodeRunner.learn``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..learning.prompt_cache import PromptCache
from ..learning.transition import SemanticTransition
from .convert import ConversionError, TransitionImporter
from .episodes import INCOMPLETE, LEARNABLE, EpisodeTable
from .reader import BagProblem, BagSet
from .recovery import RecoveryReport

MAX_KEPT_ERRORS = 20


class BagDataset:
    """Transitions of learnable episodes from ``paths``, re-keyed onto ``cache``."""

    def __init__(self, paths: Iterable[str | Path], cache: PromptCache, decode_images: bool,
                 on_problem: Callable[[BagProblem], None] | None = None,
                 on_recovery: Callable[[RecoveryReport], None] | None = None,
                 secret: bytes | None = None) -> None:
        """``secret``: learn only from transitions signed with it (see ``reader.BagSet``)."""
        self.bags = BagSet(paths, on_problem=on_problem, on_recovery=on_recovery, secret=secret)
        self.table = EpisodeTable()
        self.read = 0
        self.used = 0
        self.skipped: Counter[str] = Counter()
        """Transitions not learned from, by reason."""
        self.errors: list[str] = []
        """The first conversion errors, verbatim."""
        self._importer = TransitionImporter(cache, decode_images)

    def transitions(self) -> Iterator[SemanticTransition]:
        pending: dict[tuple[str, int], dict[int, SemanticTransition]] = {}
        for message in self.bags.transitions():
            msg = message.msg
            self.read += 1
            record = self.table.add(msg)
            key = (record.run_id, record.episode)
            held = pending.setdefault(key, {})
            try:
                held[int(msg.step)] = self._importer.convert(msg)
            except ConversionError as error:
                self.skipped["could not be converted"] += 1
                if len(self.errors) < MAX_KEPT_ERRORS:
                    self.errors.append(str(error))
            if record.outcome == INCOMPLETE:
                continue
            del pending[key]
            if record.outcome in LEARNABLE:
                self.used += len(held)
                yield from (held[step] for step in sorted(held))
            else:
                self.skipped[f"{record.outcome.lower()} episode"] += len(held)
        for held in pending.values():
            self.skipped["incomplete episode"] += len(held)
