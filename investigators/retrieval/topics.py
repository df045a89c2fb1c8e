"""Topics: online clustering of claim vectors into the questions they answer (pure).

Each new claim joins the nearest topic whose centroid is close enough and which is below
its cap; otherwise it starts a topic. Centroids are running means. A topic that reaches
the cap takes no more claims (the caller warns). Labels come from the topic's aspects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class TopicState:
    id: str
    centroid: np.ndarray
    size: int
    new_members: list[str] = field(default_factory=list)


def assign(
    claims: list[tuple[str, np.ndarray]],
    topics: list[TopicState],
    *,
    threshold: float,
    cap: int,
    new_id: Callable[[str], str],
) -> tuple[dict[str, str], list[str]]:
    """{claim id: topic id}, and the ids of topics that hit the cap during this call."""
    capped: list[str] = []
    out: dict[str, str] = {}
    pos = {t.id: i for i, t in enumerate(topics)}
    mat = np.vstack([t.centroid for t in topics]) if topics else np.zeros((0, 0), np.float32)
    for cid, v in claims:
        chosen: TopicState | None = None
        if len(topics):
            sims = mat @ v
            for j in np.argsort(-sims)[:5]:
                t = topics[int(j)]
                if sims[j] < threshold:
                    break
                if t.size >= cap:
                    if t.id not in capped:
                        capped.append(t.id)
                    continue
                chosen = t
                break
        if chosen is None:
            chosen = TopicState(id=new_id(cid), centroid=v.copy(), size=0)
            pos[chosen.id] = len(topics)
            topics.append(chosen)
            mat = np.vstack([mat, v]) if mat.size else v[None, :].copy()
        idx = pos[chosen.id]
        c = (chosen.centroid * chosen.size + v) / (chosen.size + 1)
        chosen.centroid = c / max(1e-9, float(np.linalg.norm(c)))
        chosen.size += 1
        chosen.new_members.append(cid)
        mat[idx] = chosen.centroid
        out[cid] = chosen.id
    return out, capped
