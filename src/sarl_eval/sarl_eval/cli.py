"""``sarl eval``: run methods x tasks x seeds on the simulator and write curves, tables and plots.

    sarl eval                                  # the default evaluation (4 paper tasks, 8 methods, the 5 test seeds)
    sarl eval --quick                          # a smoke-sized run (< 3 min on 2 cores)
    sarl eval --seeds dev:3 --tasks pot_lid_to_towel --methods sarl,random --episodes 60   # tune on dev seeds
    sarl eval --vlm-quality poor               # the stand-in VLM's quality: near_oracle, realistic, poor or 0..1
    sarl eval --proposer oracle                # the privileged scene proposer (an upper bound, not a VLM)
    sarl eval --proposer all --methods sarl    # every task prompt at every step
    sarl eval --methods icl_gemini,sarl --gemini-model gemini-3.8-flash --gemini-timeout 15   # real VLM baseline

Writes into ``--out``: ``runs/*.json`` (one per run; ``--resume`` reuses them),
``curves.csv``, ``summary.csv``, ``summary.md``, ``main_plot.png`` (headline
methods on the tasks run) and ``ablations_plot.png`` (SARL variants).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from sarl_sim.tasks import PAPER_TASKS, TASKS

from sarl_agent.proposer.models import DEFAULT_MODEL

from .harness import DEFAULT_MAX_STEPS, PROPOSERS, RunResult, RunSpec, run_all
from .methods import DEFAULT_METHODS, MAIN_METHODS, METHODS, default_learning_file, load_learning
from .plots import plot_curves
from .protocol import TEST_SEEDS, parse_seeds, seed_set_of
from .results import (
    load_run,
    save_run,
    summarize,
    summary_markdown,
    write_curves_csv,
    write_summary_csv,
)
from .vlm_quality import DEFAULT_QUALITY, PRESETS, rates_table, vlm_quality

QUICK = {"tasks": "pot_lid_to_towel,left_toy_largest_bowl", "methods": "zero_shot,random,icl_vlm,sarl",
         "seeds": "test:1", "episodes": 60, "eval_every": 20, "eval_episodes": 10}
"""The ``--quick`` preset (explicit options still win)."""
DEFAULTS = {"tasks": "paper", "methods": ",".join(DEFAULT_METHODS), "seeds": "test", "episodes": 100,
            "eval_every": 10, "eval_episodes": 10}


def _names(text: str, known, what: str, aliases: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    names: list[str] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        names += list((aliases or {}).get(part, (part,)))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise SystemExit(f"sarl eval: unknown {what} {unknown or text!r}; known: {', '.join(known)}")
    return list(dict.fromkeys(names))


def _seeds(text: str) -> list[int]:
    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise SystemExit(f"sarl eval: {exc}") from None


def parser() -> argparse.ArgumentParser:
    intro, usage = __doc__.split("\n\n", 1)
    p = argparse.ArgumentParser(prog="sarl eval", description=intro, epilog=usage,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", help=f"comma list of tasks, 'paper' or 'all' (default {DEFAULTS['tasks']}); "
                   f"known: {', '.join(TASKS)}")
    p.add_argument("--methods", help=f"comma list (default {DEFAULTS['methods']}); known: {', '.join(METHODS)}")
    p.add_argument("--seeds", help=f"'test' (seeds {','.join(map(str, TEST_SEEDS))}, what results are reported on), "
                   "'dev' (seeds 0-11, where settings are tuned), 'test:N'/'dev:N' (the first N), or a comma list "
                   f"(default {DEFAULTS['seeds']})")
    p.add_argument("--episodes", type=int, help=f"online training episodes per run (default {DEFAULTS['episodes']})")
    p.add_argument("--eval-every", type=int, help=f"episodes between greedy evaluations "
                   f"(default {DEFAULTS['eval_every']})")
    p.add_argument("--eval-episodes", type=int, help=f"held-out layouts per evaluation "
                   f"(default {DEFAULTS['eval_episodes']})")
    p.add_argument("--max-steps", type=int, default=DEFAULT_MAX_STEPS,
                   help="semantic steps per episode (default %(default)s)")
    p.add_argument("--proposer", choices=PROPOSERS, default="vlm",
                   help="candidate prompts: 'vlm' (the stand-in VLM, default), 'oracle' (the privileged scene "
                   "proposer, an upper bound) or 'all' (every task prompt)")
    p.add_argument("--vlm-quality", default=DEFAULT_QUALITY,
                   help=f"the stand-in VLM's quality: {', '.join(PRESETS)} or a number in [0, 1] "
                   "(default %(default)s; rates: python -m sarl_eval.vlm_quality)")
    p.add_argument("--learning-config", type=Path, default=None,
                   help=f"SARL learning YAML (default {default_learning_file()})")
    p.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1),
                   help="parallel processes (default min(2, CPUs))")
    p.add_argument("--out", type=Path, default=Path("results/eval"), help="output folder (default results/eval)")
    p.add_argument("--resume", action="store_true", help="reuse runs already in OUT/runs with the same settings")
    p.add_argument("--gemini-model", default=None,
                   help=f"icl_gemini: Gemini model (default {DEFAULT_MODEL}; see docs/real_robot.md)")
    p.add_argument("--gemini-timeout", type=float, default=None, help="icl_gemini: [s] per request (default 10)")
    p.add_argument("--gemini-key-env", default=None,
                   help="icl_gemini: environment variable holding the API key (default GEMINI_API_KEY)")
    p.add_argument("--gemini-base-url", default=None, help="icl_gemini: endpoint ('' = Google's)")
    p.add_argument("--quick", action="store_true",
                   help="smoke preset: 2 easy tasks, 4 methods, 1 seed, 60 episodes, evaluation every 20")
    return p


def build_specs(args: argparse.Namespace) -> list[RunSpec]:
    preset = {**DEFAULTS, **(QUICK if args.quick else {})}
    value = {k: getattr(args, k) if getattr(args, k) is not None else preset[k] for k in DEFAULTS}
    tasks = _names(value["tasks"], TASKS, "task", {"paper": PAPER_TASKS, "all": tuple(TASKS)})
    methods = _names(value["methods"], METHODS, "method")
    learning = load_learning(args.learning_config)
    gemini = gemini_options(args, methods, os.environ)
    return [
        RunSpec(method=m, task=t, seed=s, episodes=value["episodes"], eval_every=value["eval_every"],
                eval_episodes=value["eval_episodes"], max_steps=args.max_steps, proposer=args.proposer,
                vlm_quality=args.vlm_quality, learning=learning,
                gemini=gemini if METHODS[m].kind == "icl_gemini" else {})
        for t in tasks for m in methods for s in _seeds(value["seeds"])
    ]


def gemini_options(args: argparse.Namespace, methods: list[str], environ) -> dict:
    """icl_gemini's settings from the --gemini-* options, checked before any run starts (the key is never stored)."""
    chosen = {"model": args.gemini_model, "timeout": args.gemini_timeout, "api_key_env": args.gemini_key_env,
              "base_url": args.gemini_base_url}
    options = {k: v for k, v in chosen.items() if v is not None}
    if not any(METHODS[m].kind == "icl_gemini" for m in methods):
        if options:
            raise SystemExit("sarl eval: --gemini-* options apply only to the icl_gemini method, which is not run")
        return {}
    from .icl_gemini import gemini_settings

    settings = gemini_settings(options)  # ValueError names a bad value
    if not environ.get(settings.api_key_env):
        raise SystemExit(f"sarl eval: icl_gemini needs a Gemini API key in ${settings.api_key_env}, which is unset "
                         "(or choose another variable with --gemini-key-env)")
    return options


def write_outputs(results: list[RunResult], out: Path, title: str = "") -> Path:
    """curves.csv, summary.csv/md and the plots from ``results``; returns the Markdown path."""
    order = [*DEFAULT_METHODS, *METHODS]
    rows = summarize(results, order=order)
    write_curves_csv(results, out / "curves.csv")
    write_summary_csv(rows, out / "summary.csv")
    spec = results[0].spec
    seeds = sorted({r.spec["seed"] for r in results})
    notes = [f"Proposer: `{spec['proposer']}`" + (f" at quality `{spec['vlm_quality']}`" if spec["proposer"] == "vlm"
                                                  else "") +
             f"; {spec['max_steps']} semantic steps per episode; greedy evaluation every {spec['eval_every']} "
             f"episodes on {spec['eval_episodes']} held-out layouts per seed.",
             f"Run seeds {', '.join(map(str, seeds))} ({seed_set_of(seeds)} seeds; hyperparameters were chosen on "
             "the development seeds 0-11 only, see sarl_eval/protocol.py)."]
    if spec["proposer"] == "vlm":
        rates = rates_table([vlm_quality(spec["vlm_quality"])])
        notes += ["", "The stand-in VLM's error rates at this quality:", "", rates]
    (out / "summary.md").write_text(summary_markdown(rows, title=title, notes=notes))
    methods = list(dict.fromkeys(r.spec["method"] for r in results))
    main = [m for m in MAIN_METHODS if m in methods] or methods
    plot_curves(results, out / "main_plot.png", methods=main)
    ablations = [m for m in methods if m.startswith("sarl")]
    if len(ablations) > 1:
        plot_curves(results, out / "ablations_plot.png", methods=ablations)
    return out / "summary.md"


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.workers < 1:
        raise SystemExit("sarl eval: --workers must be >= 1")
    try:
        specs = build_specs(args)
    except ValueError as exc:
        raise SystemExit(f"sarl eval: {exc}") from None
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    done: dict[int, RunResult] = {}
    if args.resume:
        for i, spec in enumerate(specs):
            path = out / "runs" / f"{spec.key}.json"
            if path.exists():
                previous = load_run(path)
                if previous.spec == json.loads(json.dumps(asdict(spec))):  # same settings, as JSON sees them
                    done[i] = previous
    todo = [s for i, s in enumerate(specs) if i not in done]
    print(f"sarl eval: {len(specs)} runs ({len(done)} reused), {args.workers} worker(s) -> {out}", flush=True)
    if args.proposer == "vlm":
        print(f"stand-in VLM at quality {args.vlm_quality!r}:\n{rates_table([vlm_quality(args.vlm_quality)])}",
              flush=True)
    started = time.monotonic()
    finished = len(done)

    def report(_index: int, spec: RunSpec, result: RunResult) -> None:
        nonlocal finished
        finished += 1
        save_run(result, out)
        curve = " ".join(f"{100 * s:.0f}" for s in result.eval_success)
        print(f"[{finished}/{len(specs)}] {spec.method} | {spec.task} | seed {spec.seed}: "
              f"greedy success % at {result.eval_points[0]}..{result.eval_points[-1]} episodes: {curve} "
              f"({result.seconds:.0f} s; {time.monotonic() - started:.0f} s elapsed)", flush=True)

    new = run_all(todo, workers=args.workers, on_result=report)
    by_key = {r.spec["method"] + r.spec["task"] + str(r.spec["seed"]): r for r in [*done.values(), *new]}
    results = [by_key[s.method + s.task + str(s.seed)] for s in specs]
    summary = write_outputs(results, out, title="SARL evaluation on the built-in simulator")
    print(f"sarl eval: done in {time.monotonic() - started:.0f} s; {summary}", flush=True)
    print(summary.read_text(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
