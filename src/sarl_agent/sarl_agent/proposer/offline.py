"""Offline proposer: candidate prompts without a VLM, from a list and/or templates over object names.

Why it exists: the simulator, tests and a robot without network access still
need a candidate set that looks like a VLM's — grounded atomic prompts,
the task instruction itself, and *plausible but ungrounded* ones (picking up
a receptacle, whole-task commands) that a base VLA cannot execute. Learning
which of them work is exactly SARL's job.

The prompt list comes from the parameter list, or from a ``sarl_sim`` task's
candidates (imported lazily, so a robot install needs no simulator).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sarl_prompt import is_reset_to_home

from ..learning.prompt_cache import normalize
from .base import PromptProposer, Proposal, ProposerError

OBJECT_TEMPLATES = ("pick up the {obj}", "grasp the {obj}")
"""Grounded atomic prompts for graspable objects."""
RECEPTACLE_TEMPLATES = ("put it in the {rec}", "put it on the {rec}")
"""Grounded atomic prompts for places to put the held object."""
UNGROUNDED_TEMPLATES = ("pick up the {rec}", "put the {obj} in the {rec}")
"""Plausible to a reader, rarely executable by the VLA: receptacles picked up, two-skill commands."""


def sim_task_prompts(task_name: str) -> tuple[str, ...]:
    """Candidate prompts of a ``sarl_sim`` task (ValueError naming the known tasks when unknown)."""
    try:
        from sarl_sim.tasks import TASKS
    except ImportError as exc:
        raise ValueError(
            f"offline_task {task_name!r} needs the sarl_sim package, which is not importable: {exc}"
        ) from exc
    task = TASKS.get(task_name)
    if task is None:
        raise ValueError(f"offline_task {task_name!r} is not a sarl_sim task; known: {sorted(TASKS)}")
    return tuple(task.candidates)


def template_prompts(objects: Sequence[str], receptacles: Sequence[str]) -> list[str]:
    """Grounded templates first, then the ungrounded ones, in a stable order."""
    prompts = [t.format(obj=o) for o in objects for t in OBJECT_TEMPLATES]
    prompts += [t.format(rec=r) for r in receptacles for t in RECEPTACLE_TEMPLATES]
    for template in UNGROUNDED_TEMPLATES:
        if "{obj}" in template:
            prompts += [template.format(obj=o, rec=r) for o in objects for r in receptacles]
        else:
            prompts += [template.format(rec=r) for r in receptacles]
    return prompts


class OfflineProposer(PromptProposer):
    """Deterministic candidates: the task instruction, the configured prompts, then the templates."""

    def __init__(
        self,
        prompts: Iterable[str] = (),
        objects: Sequence[str] = (),
        receptacles: Sequence[str] = (),
        include_task: bool = True,
    ) -> None:
        self._prompts = _distinct([*prompts, *template_prompts(objects, receptacles)])
        self._include_task = include_task

    @classmethod
    def from_sim_task(
        cls, task_name: str, objects: Sequence[str] = (), receptacles: Sequence[str] = ()
    ) -> OfflineProposer:
        return cls(sim_task_prompts(task_name), objects, receptacles)

    def candidates(self, task: str) -> list[str]:
        """Every prompt this proposer can offer for ``task``, normalised, without reset-to-home."""
        return _distinct([task, *self._prompts] if self._include_task and task.strip() else self._prompts)

    def propose(
        self,
        task: str,
        image_jpeg: bytes | None,
        history: Sequence[str],
        max_candidates: int,
        allowed: Sequence[str] | None = None,
    ) -> Proposal:
        candidates = self.candidates(task)
        if allowed is not None:
            permitted = {normalize(p) for p in allowed}
            candidates = [p for p in candidates if p in permitted]
        if not candidates:
            raise ProposerError(
                "offline proposer has no prompt to offer"
                + (
                    " among the cached ones"
                    if allowed is not None
                    else ": set offline_task, offline_prompts or offline_objects"
                )
            )
        return Proposal(prompts=tuple(candidates[:max_candidates]))


def _distinct(prompts: Iterable[str]) -> list[str]:
    """Normalised, first occurrence kept, empty and reset-to-home (any wording) dropped (the agent adds reset)."""
    seen: dict[str, None] = {}
    for prompt in prompts:
        key = normalize(prompt)
        if key and not is_reset_to_home(key):
            seen.setdefault(key, None)
    return list(seen)
