"""``inspect_bag``: print the episodes in bags as a table (episode, task, prompts chosen, outcome).

For operators on any machine: needs only rosbags/mcap (no ROS install).
Read-only by default: an unfinished bag (recorder killed, or still
recording) is read as far as it is on disk; ``--recover`` finishes it first.

    inspect_bag bags/                      # every bag under a folder
    python -m sarl_agent.bag.inspect run-1_2025_06_01-10_00_00
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sarl_auth import SecretError

from .episodes import EpisodeTable
from .reader import BagSet
from .transition_mac import reading_secret

PROMPT_JOIN = " -> "


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns; the last column is not padded (prompt lists can be long)."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [str(cell).ljust(width) for cell, width in zip(cells, widths, strict=False)]
        return "  ".join([*padded, str(cells[-1])]).rstrip()

    return "\n".join([line(headers), line(["-" * len(h) for h in headers]), *(line(row) for row in rows)])


def episode_rows(table: EpisodeTable, with_run: bool) -> list[list[str]]:
    rows = []
    for record in table.episodes():
        row = [str(record.episode), record.task, record.outcome, PROMPT_JOIN.join(record.chosen) or "(no step)"]
        rows.append([record.run_id, *row] if with_run else row)
    return rows


def render(table: EpisodeTable) -> str:
    with_run = len(table.runs) > 1
    headers = ["run"] * with_run + ["episode", "task", "outcome", "prompts chosen"]
    lines = [format_table(headers, episode_rows(table, with_run))]
    rates = table.success_by_task()
    for task, (wins, total) in rates.items():
        lines.append(f"success {task!r}: {wins}/{total}" + (f" ({wins / total:.0%})" if total else ""))
    counts = table.outcome_counts()
    lines.append("episodes: " + ", ".join(f"{counts[k]} {k}" for k in sorted(counts)) if counts else "no episodes")
    return "\n".join(lines)


def add_verification_arguments(parser: argparse.ArgumentParser) -> None:
    """``--secret`` / ``--no-verify``, shared by inspect and replay."""
    parser.add_argument("--secret", default=None,
                        help="run secret file to verify transitions with (default: $SARL_SECRET_FILE or "
                             "~/.config/sarl/secret when readable; unsigned and forged transitions are skipped)")
    parser.add_argument("--no-verify", action="store_true", help="read every transition without checking MACs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="inspect_bag", description=__doc__.split("\n\n")[0])
    parser.add_argument("bags", nargs="+", help="bag directories, .mcap files or folders of bags")
    parser.add_argument("--recover", action="store_true",
                        help="finish unfinished bags (recorder killed) before reading; default: read-only")
    add_verification_arguments(parser)
    args = parser.parse_args(argv)
    try:
        secret, note = reading_secret(args.secret, not args.no_verify)
    except SecretError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if note:
        print(f"note: {note}", file=sys.stderr)
    table = EpisodeTable()
    bags = BagSet(args.bags, recover=args.recover,
                  on_problem=lambda problem: print(f"error: {problem}", file=sys.stderr),
                  on_recovery=lambda report: print(report.describe(), file=sys.stderr), secret=secret)
    try:
        for message in bags.transitions():
            table.add(message.msg)
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = bags.report
    print(f"{len(report.bags)} bag(s), {len(table.runs)} run(s): {', '.join(table.runs) or '-'}")
    for bag in report.live:
        print(f"note: {bag} is unfinished (recording, or its recorder died); read as far as it is on disk")
    if report.duplicates:
        print(f"note: {report.duplicates} duplicate transitions (re-sends, restarted recorder) shown once")
    print(render(table))
    print(report.verification())
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
