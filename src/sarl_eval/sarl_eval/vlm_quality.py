"""How good the stand-in VLM is: one ``quality`` knob and the error rates it sets.

Why a knob: how much of SARL's success comes from learning and how much from
a proposer that already knows the plan is the question the evaluation has to
answer (issue 19). The rates below are *chosen*, not measured on Gemini: they
span a VLM that sees and decomposes almost perfectly ("near_oracle") to one
that misses sub-goals or objects a third of the time ("poor"). Print them with
``python -m sarl_eval.vlm_quality``.

What the rates add up to, measured (``test_vlm_standin.py``): in the first
state of "move the hammer to the plate, then grasp the mushroom", a proposal
offers some wording of picking up the hammer 100 % (near_oracle), 77 %
(realistic) and 67 % (poor) of the time — poor's two random distractors often
name the hammer by chance — and each proposal words it in fresh words.

A float ``q`` in [0, 1] interpolates the rates linearly between the presets:
0 = poor, 0.5 = realistic, 1 = near_oracle.
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import dataclass, fields

DEFAULT_QUALITY = "realistic"


@dataclass(frozen=True)
class VlmQuality:
    """Error rates of the stand-in VLM; every probability is per proposal unless it says otherwise."""

    name: str
    miss_object: float
    """Per object and call: the object is not detected (occluded, out of view), so it is neither named nor
    matched in the instruction."""
    position_noise: float
    """[m] standard deviation of the detected position (each axis) and of the size (half of it); wrong
    'held', 'in/on', 'left/right', 'largest' readings follow from it."""
    drop_subgoal: float
    """One of the sub-goal steps it would propose is left out (a missed sub-goal)."""
    extra_subgoal: float
    """A step on an object the instruction does not ask to move, or to a place it does not name, is added
    (a hallucinated sub-goal)."""
    wrong_order: float
    """It proposes the step of the wrong phase: placing while the gripper is empty, picking the next
    object while holding one, or a later stage of a 'then' instruction first."""
    unseen_object: float
    """It names an object that is not on the table (a word from the instruction it could not see, or
    another kitchen object)."""
    phrasings: int
    """Phrasings sampled per proposed step (from :mod:`sarl_eval.vlm_grammar`)."""
    distractors: int
    """Extra plausible-looking steps on random detected objects per proposal."""

    def __post_init__(self) -> None:
        for f in ("miss_object", "drop_subgoal", "extra_subgoal", "wrong_order", "unseen_object"):
            value = getattr(self, f)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"VLM quality {self.name!r}: {f} must be a probability in [0, 1], got {value}")
        if self.position_noise < 0.0:
            raise ValueError(f"VLM quality {self.name!r}: position_noise must be >= 0 m, got {self.position_noise}")
        if self.phrasings < 1 or self.distractors < 0:
            raise ValueError(f"VLM quality {self.name!r}: phrasings must be >= 1 and distractors >= 0")


PRESETS: dict[str, VlmQuality] = {
    q.name: q
    for q in (
        VlmQuality("poor", miss_object=0.15, position_noise=0.025, drop_subgoal=0.35, extra_subgoal=0.5,
                   wrong_order=0.3, unseen_object=0.3, phrasings=2, distractors=2),
        VlmQuality("realistic", miss_object=0.05, position_noise=0.01, drop_subgoal=0.15, extra_subgoal=0.2,
                   wrong_order=0.1, unseen_object=0.1, phrasings=2, distractors=1),
        VlmQuality("near_oracle", miss_object=0.0, position_noise=0.003, drop_subgoal=0.0, extra_subgoal=0.0,
                   wrong_order=0.0, unseen_object=0.0, phrasings=2, distractors=1),
    )
}
"""The named settings, worst first."""
_ANCHORS = ((0.0, PRESETS["poor"]), (0.5, PRESETS["realistic"]), (1.0, PRESETS["near_oracle"]))


def vlm_quality(value: str | float | VlmQuality = DEFAULT_QUALITY) -> VlmQuality:
    """A preset by name, or the rates interpolated at ``value`` in [0, 1] (a number or its text)."""
    if isinstance(value, VlmQuality):
        return value
    if isinstance(value, str) and value in PRESETS:
        return PRESETS[value]
    try:
        q = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"VLM quality must be one of {', '.join(PRESETS)} or a number in [0, 1], "
                         f"got {value!r}") from None
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"VLM quality must be in [0, 1] (0 = poor, 0.5 = realistic, 1 = near_oracle), got {q}")
    (x0, low), (x1, high) = next((a, b) for a, b in itertools.pairwise(_ANCHORS) if q <= b[0])
    w = (q - x0) / (x1 - x0)
    rates = {f.name: (1 - w) * getattr(low, f.name) + w * getattr(high, f.name)
             for f in fields(VlmQuality) if f.name not in ("name", "phrasings", "distractors")}
    return VlmQuality(f"{q:g}", **rates, phrasings=high.phrasings,
                      distractors=round((1 - w) * low.distractors + w * high.distractors))


def rates_table(qualities: list[VlmQuality] | None = None) -> str:
    """A Markdown table of the rates of ``qualities`` (default: the presets)."""
    rows = qualities or list(PRESETS.values())
    names = [f.name for f in fields(VlmQuality) if f.name != "name"]
    lines = ["| quality | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for q in rows:
        cells = [f"{getattr(q, n):g}" for n in names]
        lines.append(f"| {q.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print the stand-in VLM's error rates per quality setting.")
    parser.add_argument("qualities", nargs="*", help="names or numbers in [0, 1] (default: the presets)")
    args = parser.parse_args(argv)
    try:
        chosen = [vlm_quality(q) for q in args.qualities] or None
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    print(rates_table(chosen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
