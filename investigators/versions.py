"""What changed between the investigators a claim was last checked by and the current ones.

A run checks again every claim whose stored preset (`Runner.preset_version`,
"name@version,name@version") differs from the current one: after an upgrade of the judge's
model, rules or fit, that is the whole graph, and one new paper's ingest then takes as long as
the first run did. The run says so before it starts and in its report, naming what changed.
"""

from __future__ import annotations

from collections.abc import Iterable


def parse_preset(preset: str) -> dict[str, str]:
    """A stored preset as {investigator name: version}."""
    out: dict[str, str] = {}
    for part in preset.split(","):
        name, _, version = part.partition("@")
        if name:
            out[name] = version
    return out


def _differing_parts(old: str, new: str) -> str:
    """The '+'-separated parts of a version that differ ("exit3@0.977:… → exit3@0.987:…"),
    or the two versions whole when they share no part."""
    a, b = old.split("+"), new.split("+")
    gone, came = [p for p in a if p not in b], [p for p in b if p not in a]
    if len(gone) == len(a) and len(came) == len(b):
        return f"{old} → {new}"
    return f"{'+'.join(gone) or '(none)'} → {'+'.join(came) or '(none)'}"


def version_changes(previous: Iterable[str], current: str) -> list[str]:
    """One line per investigator whose version differs between any of the `previous` presets
    the claims were checked with and the `current` one: added, or old → new (only the parts
    that differ), sorted by name. One no longer run is no cause (a claim checked by more
    investigators than run now is not checked again), so it is not named."""
    now = parse_preset(current)
    lines: set[str] = set()
    for preset in set(previous):
        before = parse_preset(preset)
        for name in sorted(before.keys() | now.keys()):
            if name not in now:  # no cause: a claim checked by more is checked
                continue
            if name not in before:
                lines.add(f"{name}: new")
            elif before[name] != now[name]:
                lines.add(f"{name}: {_differing_parts(before[name], now[name])}")
    return sorted(lines)


def recheck_note(rechecked: int, changes: list[str]) -> str:
    """What the user is told when a run checks claims again because the investigators
    changed (before the run starts, and in its report)."""
    what = "; ".join(changes) if changes else "their versions differ"
    return (
        f"{rechecked:,} claim(s) checked before by other versions of the investigators are "
        f"checked again ({what}). After an upgrade, the first run checks again every claim "
        "checked before, which can take as long as their first ingest did; later runs check "
        "only new claims."
    )
