"""The issues' targets, checked on figures measured in the same run.

Each benchmark ends with one block: every target it can measure, met or missed by how much
(with what the run measured about why), and every target it cannot measure, with the reason
and what would measure it. A reader sees at a glance what holds on this machine today.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Status = Literal["met", "missed", "not measured"]
Op = Literal[">=", ">", "<=", "<"]

_OPS: dict[Op, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}
_SHOWN: dict[Op, str] = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@dataclass(frozen=True)
class Check:
    """One target against one figure of this run."""

    what: str
    goal: str  # as the issue states it: "≥ 0.85", "< 10 s"
    status: Status
    measured: str = ""
    note: str = ""  # why it missed (what the run measured), or why it was not measured

    def line(self) -> str:
        if self.status == "not measured":
            return f"  not measured  {self.what} {self.goal}: {self.note}"
        head = f"  {self.status:<12}  {self.what} {self.goal}: {self.measured}"
        return head + (f" — {self.note}" if self.note and self.status == "missed" else "")


def _fmt(x: float, digits: int, unit: str) -> str:
    return f"{x:.{digits}f}{unit}"


def check(
    what: str,
    value: float | None,
    op: Op,
    goal: float,
    *,
    digits: int = 2,
    unit: str = "",
    why: str = "",
    absent: str = "",
) -> Check:
    """`value op goal`. A missed target says by how much and `why` (figures of this run); a
    value that could not be measured (None or NaN) is reported with `absent`."""
    goal_s = f"{_SHOWN[op]} {_fmt(goal, digits, unit)}"
    if value is None or math.isnan(value):
        return Check(what, goal_s, "not measured", note=absent or "no figure in this run")
    if _OPS[op](value, goal):
        return Check(what, goal_s, "met", _fmt(value, digits, unit))
    gap = abs(goal - value)
    if gap == 0:  # a strict bound exactly reached
        return Check(what, goal_s, "missed", f"{_fmt(value, digits, unit)}, missed by 0 (the "
                     "bound is strict)", why)  # fmt: skip
    shown = digits  # a shortfall too small for the goal's digits gets more of them
    while shown < digits + 3 and float(_fmt(gap, shown, "")) == 0:
        shown += 1
    by = _fmt(gap, shown, unit)
    if float(_fmt(gap, shown, "")) == 0:
        by = f"less than {_fmt(10.0**-shown, shown, unit)}"
    return Check(what, goal_s, "missed", f"{_fmt(value, shown, unit)}, missed by {by}", why)


def off_cores(wanted: int = 2) -> str:
    """Why a target set on `wanted` cores is not measured on this machine ("" when it is)."""
    from consilience.cpu import cores

    n = cores()
    return "" if n == wanted else f"this machine gives {n} cores; the target is set on {wanted}"


def unmeasured(what: str, goal: str, why: str) -> Check:
    """A target this benchmark cannot measure in this run, and what would measure it."""
    return Check(what, goal, "not measured", note=why)


def main_job_slower(than: str) -> Check:
    """Issues #9 and #10 both bound the main job's extra time; no benchmark times the job."""
    return unmeasured(
        f"the main job on the corpus, slower than {than}",
        "by at most 60 s",
        "timed by the main job itself (its report gives each stage's seconds)",
    )


def report(title: str, checks: Sequence[Check]) -> str:
    """The block a benchmark prints last."""
    n = {s: sum(c.status == s for c in checks) for s in ("met", "missed", "not measured")}
    head = (
        f"\nTargets ({title}): {n['met']} met, {n['missed']} missed, "
        f"{n['not measured']} not measured in this run"
    )
    return "\n".join([head, *(c.line() for c in checks)])
