"""The graph lock's timing rule (kg.locks), without a server: a probe, monitor and margin
included, always ends before the gate that guards it can be let go."""

from __future__ import annotations

import pytest

from kg.locks import MONITOR_S, SAFETY_S, gate_limit, probe_seconds


@pytest.mark.parametrize("note", [0.5, 1.0, 5.0])
def test_a_probe_ends_before_its_gate_can(note: float) -> None:
    limit = gate_limit(note)
    waits = [i * 0.05 for i in range(int(limit / 0.05) + 20)]
    probed = [(w, probe_seconds(w, note)) for w in waits]
    for waited, seconds in probed:
        if seconds is not None:
            assert 0 < seconds <= note
            assert waited + seconds + MONITOR_S + SAFETY_S <= limit + 1e-9
    # a gate that comes at once gives a whole probe; one that comes late gives none
    assert probe_seconds(0.0, note) == note
    assert probe_seconds(limit - MONITOR_S - 2 * SAFETY_S, note) is None
    assert probe_seconds(limit, note) is None
    # between them (for a probe longer than the margin), a shorter probe rather than none,
    # never down to the margin
    short = [s for _, s in probed if s is not None and s < note]
    assert all(s > SAFETY_S for s in short)
    assert bool(short) == (note > SAFETY_S + 0.05)
