"""Evaluating a safety case against the graph: fresh leaf confidences, combined up the tree.

`all-of` multiplies (every child must hold), `any-of` is 1 - product of failures
(independent alternatives). Each claim is one event however often the case cites it: a claim
(or shared subgoal) reached by two paths is conditioned on, not multiplied by itself (`_Tree`).
Different claims are treated as independent, so a warning names every pair of combined children
whose evidence shares a line of research (correlated errors). Bounds put
every leaf at its 5th / 95th percentile (the combinations are monotone). Sensitivity is how
far the top goal moves as one leaf sweeps its interval.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import combinations, product
from typing import Any

from calibration.case.load import root_of
from calibration.case.model import SafetyCase
from calibration.case.result import (
    CaseEvaluation,
    Contradiction,
    Leaf,
    LineEvidence,
    NodeResult,
    Quote,
    Sensitivity,
)
from calibration.confidence import LINE_WEIGHT, derive
from calibration.cypher import case as q
from calibration.models import Confidence
from calibration.updater import ConfidenceUpdater, load_maps, weigher_for
from consilience.errors import InvalidInputError, NotFoundError
from consilience.vocabulary import FindingKind, FindingStatus
from kg.graph import Graph

SEARCH_HINT = 'Find the claim with `consilience search "words"` and use its id or exact words.'


def _quote(r: dict[str, Any]) -> Quote:
    return Quote(**{k: r[k] for k in Quote.model_fields})


def resolve_leaves(driver: Graph, case: SafetyCase) -> dict[str, dict[str, Any]]:
    """Evidence node id -> claim row; clear errors for unknown or ambiguous references."""
    out: dict[str, dict[str, Any]] = {}
    with driver.read() as s:
        for nid, n in sorted(case.nodes.items()):
            if n.type != "evidence":
                continue
            if n.claim:
                rec = s.run(q.CLAIM_BY_ID, id=n.claim).single()
                if rec is None:
                    raise NotFoundError(
                        f"Case node {nid}: no claim with id {n.claim!r}.", SEARCH_HINT
                    )
                out[nid] = rec.data()
                _check_claim_matches(nid, n.quote, n.source, out[nid])
                continue
            quote = " ".join((n.quote or "").split())
            rows = [r.data() for r in s.run(q.CLAIMS_BY_QUOTE, quote=quote, source=n.source)]
            if not rows:
                where = f" in a source matching {n.source!r}" if n.source else ""
                raise NotFoundError(
                    f"Case node {nid}: no claim contains the quote {quote[:80]!r}{where}.",
                    SEARCH_HINT,
                )
            sources = sorted({r["source_title"] for r in rows})
            if len(sources) > 1:
                raise InvalidInputError(
                    f"Case node {nid}: the quote {quote[:60]!r} is in {len(sources)} sources: "
                    f"{'; '.join(t[:50] for t in sources[:4])}.",
                    "Add `source: <words of the title or file name>` to the node, or use "
                    "`claim: <id>`.",
                )
            out[nid] = rows[0]  # several in one source: repeated drafts; the first occurrence
    _refuse_one_claim_twice(case, out)
    return out


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _check_claim_matches(
    nid: str, quote: str | None, source: str | None, row: dict[str, Any]
) -> None:
    """A node that names a claim by id and also gives a quote or a source: they must fit that
    claim (red-teamed: both given, the quote was ignored, and a quote meant as a check of the
    id named another claim without a word)."""
    if quote and _words(quote) not in _words(str(row["quote"])):
        raise InvalidInputError(
            f"Case node {nid}: claim {row['claim_id']} does not contain the quote "
            f"{quote[:80]!r} (it reads {str(row['quote'])[:80]!r}).",
            "Give the claim's id or its exact words, or make the two agree.",
        )
    name = str(row.get("source_path") or "").replace("\\", "/").rsplit("/", 1)[-1]
    wanted = _words(source or "")
    if wanted and not (wanted in _words(str(row["source_title"] or "")) or wanted in _words(name)):
        raise InvalidInputError(
            f"Case node {nid}: claim {row['claim_id']} is in {str(row['source_title'])[:80]!r}, "
            f"which does not match the source {wanted[:80]!r}.",
            "Drop `source:` or give words of that source's title or file name.",
        )


def _refuse_one_claim_twice(case: SafetyCase, leaves: dict[str, dict[str, Any]]) -> None:
    """Two children of one goal that are the same claim (by id, or a quote that finds it):
    counted once, they add nothing, and red-teamed it was a node pointed at the wrong claim
    (an all-of goal then multiplied the claim's confidence by itself: 0.65 became 0.43)."""
    for gid, g in sorted(case.nodes.items()):
        seen: dict[str, str] = {}
        for child in g.children:
            row = leaves.get(child)
            if row is None:
                continue
            first = seen.setdefault(str(row["claim_id"]), child)
            if first != child:
                raise InvalidInputError(
                    f"Case node {gid}: its children {first} and {child} are the same claim "
                    f"({row['claim_id']}): one of them probably cites the wrong claim.",
                    "Keep one of the two evidence nodes, or point the other at the claim it "
                    "was meant to cite.",
                )


def _combine(kind: str, ps: list[float]) -> float:
    prod = 1.0
    if kind == "any-of":
        for p in ps:
            prod *= 1.0 - p
        return 1.0 - prod
    for p in ps:
        prod *= p
    return prod


def reachable_order(case: SafetyCase, root: str) -> list[str]:
    """Goals and evidence reachable from root, children before parents, each once (iterative:
    a chain of thousands of goals is fine; a node shared by several goals is visited once)."""
    order: list[str] = []
    seen = {root}
    stack = [(root, iter(case.nodes[root].children))]
    while stack:
        nid, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            order.append(nid)
        elif child not in seen:
            seen.add(child)
            stack.append((child, iter(case.nodes[child].children)))
    return order


# Claims used in more than one place are conditioned on, one at a time: 2 ** n passes over the
# case. Beyond this many, the case is combined as if each place were independent (and says so);
# also when the passes a whole evaluation makes (each leaf's sensitivity needs two) would pass
# EXACT_BUDGET node visits (review: 144 leaves and 12 shared claims took 70 s, and the API
# takes cases of 20,000 nodes).
MAX_SHARED = 12
EXACT_BUDGET = 3_000_000


def _paths(case: SafetyCase, order: list[str]) -> dict[str, int]:
    """How many paths lead from the root to each reachable node (counted up to 2)."""
    paths = dict.fromkeys(order, 0)
    paths[order[-1]] = 1  # the root comes last in `order`
    for nid in reversed(order):  # parents before children
        for c in case.nodes[nid].children:
            paths[c] = min(2, paths[c] + paths[nid])
    return paths


class _Tree:
    """Values of every node, computed bottom-up once per (pick, override): linear in the
    case's size however often subgoals are shared (naive recursion was exponential).

    Each claim is one uncertain event, however many evidence nodes cite it and however many
    goals share the node (an undeveloped goal is one too). Combining the children of a goal
    as independent is exact only when no event is reached by two paths from the root: the
    claim under both subgoals of an all-of goal was multiplied by itself (0.9 became 0.81).
    Such shared events (`shared`) are conditioned on: every assignment of true / false to
    them is combined with the rest as independent and weighted by its probability, which is
    exact for every node. Beyond MAX_SHARED of them, `exact` is False and they are counted
    once per path."""

    def __init__(
        self,
        case: SafetyCase,
        root: str,
        leaf_p: dict[str, tuple[float, float, float]],
        claim_of: dict[str, str] | None = None,
    ):
        self.case = case
        self.root = root
        self.leaf_p = leaf_p
        self.order = reachable_order(case, root)
        self.pos = {nid: i for i, nid in enumerate(self.order)}
        self.parents: dict[str, list[str]] = {}
        for nid in self.order:
            for c in case.nodes[nid].children:
                self.parents.setdefault(c, []).append(nid)
        # the event behind each evidence node (its claim) and each undeveloped goal (itself)
        self.event: dict[str, str] = {}
        for nid in self.order:
            n = case.nodes[nid]
            if n.type == "evidence":
                self.event[nid] = f"claim:{(claim_of or {}).get(nid, nid)}"
            elif not n.children:
                self.event[nid] = f"goal:{nid}"
        self.nodes_of: dict[str, list[str]] = {}
        for nid, e in self.event.items():
            self.nodes_of.setdefault(e, []).append(nid)
        paths = _paths(case, self.order)
        reached = {e: sum(paths[nid] for nid in ns) for e, ns in self.nodes_of.items()}
        many = sorted(e for e, k in reached.items() if k > 1)
        leaves = sum(1 for nid in self.order if case.nodes[nid].type == "evidence")
        visits = (2 ** min(len(many), 64)) * len(self.order) * (4 + 2 * leaves)
        self.exact = len(many) <= MAX_SHARED and visits <= EXACT_BUDGET
        self.shared = many if self.exact else []
        self.counted_twice = [] if self.exact else many
        self._base: dict[int, dict[str, float]] = {}

    def _p(self, nid: str, pick: int) -> float:
        if self.case.nodes[nid].type == "evidence":
            return self.leaf_p[nid][pick]
        return (0.5, 0.0, 1.0)[pick]  # undeveloped goal: unknown

    def _pass(self, fixed: dict[str, float], pick: int, over: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for nid in self.order:
            if nid in over:
                out[nid] = over[nid]
            elif nid in self.event:
                out[nid] = fixed.get(self.event[nid], self._p(nid, pick))
            else:
                out[nid] = _combine(
                    self.case.nodes[nid].combine, [out[c] for c in self.case.nodes[nid].children]
                )
        return out

    def _split(
        self, override: dict[str, float] | None
    ) -> tuple[dict[str, float], dict[str, float]]:
        """An override of an evidence node is one of its claim (every node citing it);
        an override of a goal is of that goal alone."""
        events: dict[str, float] = {}
        nodes: dict[str, float] = {}
        for nid, p in (override or {}).items():
            if nid not in self.pos:  # not reachable from the root: changes nothing
                continue
            if self.case.nodes[nid].type == "evidence" and nid in self.event:
                events[self.event[nid]] = p
            else:
                nodes[nid] = p
        return events, nodes

    def values(self, pick: int, override: dict[str, float] | None = None) -> dict[str, float]:
        """pick: 0 = mean, 1 = low, 2 = high. Without an override, computed once per pick."""
        if not override:
            if pick not in self._base:
                self._base[pick] = self._values(pick, None)
            return self._base[pick]
        return self._values(pick, override)

    def _values(self, pick: int, override: dict[str, float] | None) -> dict[str, float]:
        events, nodes = self._split(override)
        if not self.shared:
            return self._pass(events, pick, nodes)
        p = {e: events.get(e, self._p(self.nodes_of[e][0], pick)) for e in self.shared}
        total = dict.fromkeys(self.order, 0.0)
        for bits in product((0.0, 1.0), repeat=len(self.shared)):
            w = 1.0
            for e, b in zip(self.shared, bits, strict=True):
                w *= p[e] if b else 1.0 - p[e]
            if w == 0.0:
                continue
            vals = self._pass({**events, **dict(zip(self.shared, bits, strict=True))}, pick, nodes)
            for nid, v in vals.items():
                total[nid] += w * v
        return total

    def value(self, nid: str, pick: int, override: dict[str, float] | None = None) -> float:
        """One node's value; with an override and no shared events, only the overridden
        nodes' ancestors are recomputed (sensitivity asks this once per leaf)."""
        base = self.values(pick)
        if not override:
            return base[nid]
        if self.shared:
            return self.values(pick, override)[nid]
        events, nodes = self._split(override)
        over = {**nodes, **{x: p for e, p in events.items() for x in self.nodes_of[e]}}
        affected = set(over)
        frontier = list(over)
        while frontier:
            for parent in self.parents.get(frontier.pop(), ()):
                if parent not in affected:
                    affected.add(parent)
                    frontier.append(parent)
        changed: dict[str, float] = {}
        for x in sorted(affected, key=self.pos.__getitem__):
            n = self.case.nodes[x]
            if x in over:
                changed[x] = over[x]
            elif n.children:
                changed[x] = _combine(n.combine, [changed.get(c, base[c]) for c in n.children])
        return changed.get(nid, base[nid])


def _lines(conf: Confidence, rows: dict[str, dict[str, Any]], name: str) -> list[LineEvidence]:
    out = []
    for t in conf.terms:
        if t.name != name:
            continue
        quotes = [_quote(rows[f]) for f in t.findings if f in rows]
        weight = (t.alpha or t.beta) / LINE_WEIGHT
        out.append(LineEvidence(line=t.group or "?", weight=round(weight, 4), quotes=quotes))
    return out


def evaluate_case(driver: Graph, case: SafetyCase) -> CaseEvaluation:
    """Evaluate the case with confidences derived now from the graph."""
    root = root_of(case)
    claims = resolve_leaves(driver, case)
    weigh = weigher_for(load_maps(driver))
    updater = ConfidenceUpdater(driver)
    inputs = {
        f.id: (f, ev) for f, ev, _ in updater.load(sorted({r["claim_id"] for r in claims.values()}))
    }
    confs = {cid: derive(f, ev, weigh) for cid, (f, ev) in inputs.items()}
    leaf_p = {
        nid: (confs[r["claim_id"]].p, confs[r["claim_id"]].low, confs[r["claim_id"]].high)
        for nid, r in claims.items()
    }
    tree = _Tree(case, root, leaf_p, {nid: str(r["claim_id"]) for nid, r in claims.items()})
    top = tree.value(root, 0)
    warnings: list[str] = []
    leaves: dict[str, Leaf] = {}
    with driver.read() as s:
        for nid, r in claims.items():
            conf = confs[r["claim_id"]]
            frows = {x["finding_id"]: x.data() for x in s.run(q.LEAF_FINDINGS, id=r["claim_id"])}
            contradictions = []
            f, ev = inputs[r["claim_id"]]
            from_summary = {e.finding_id for e in ev if e.other_summarises}
            for fid, fr in frows.items():
                if fr["kind"] != FindingKind.CONTRADICTS or fr["status"] != FindingStatus.OPEN:
                    continue
                if fid in from_summary:  # the summary's distortion: not against this claim
                    continue
                confirmed = [
                    e.model_copy(update={"status": FindingStatus.CONFIRMED})
                    if e.finding_id == fid
                    else e
                    for e in ev
                ]
                p_if = derive(f, confirmed, weigh).p
                contradictions.append(
                    Contradiction(
                        finding_id=fid,
                        score=fr["score"],
                        rationale=fr["rationale"],
                        against=_quote(fr),
                        swing=round(tree.value(root, 0, {nid: p_if}) - top, 6),
                    )
                )
            contradictions.sort(key=lambda c: c.swing)
            leaves[nid] = Leaf(
                claim=_quote(r),
                own_line=r["line_id"],
                supporting_lines=_lines(conf, frows, "support"),
                opposing_lines=_lines(conf, frows, "oppose"),
                effective_lines=conf.effective_lines,
                open_contradictions=contradictions,
                derivation=[t.detail for t in conf.terms],
            )
    for nid, r in sorted(claims.items()):
        if inputs[r["claim_id"]][0].source_retracted:
            warnings.append(
                f"Evidence {nid} rests on a retracted source ({r['source_title']}): its "
                "confidence is that of a claim whose source was withdrawn. Rest the node on "
                "other evidence, or restore the source (`sources retract ID --undo`) if the "
                "retraction was a mistake."
            )
    nodes, assumptions = _walk(case, root, tree, leaves, warnings)
    with driver.read() as s:
        names = {f"line:{r['id']}": r["name"] for r in s.run(q.LINE_NAMES)}
    _correlation_warnings(case, tree.order, leaves, warnings, names, exact=tree.exact)
    if tree.counted_twice:
        warnings.append(
            f"{len(tree.counted_twice)} claims or undeveloped goals are each reached by more than "
            f"one path (more than {MAX_SHARED}, or a case too large to condition on them all): "
            "the result counts each once per path, as if the "
            "places were independent, and overstates what an all-of goal needs (understates "
            "an any-of goal's). Cite each claim in one place, or split the case."
        )
    sens = []
    for nid in sorted(claims):
        lo = tree.value(root, 0, {nid: leaf_p[nid][1]})
        hi = tree.value(root, 0, {nid: leaf_p[nid][2]})
        sens.append(Sensitivity(node_id=nid, swing=round(hi - lo, 6)))
    sens.sort(key=lambda x: (-x.swing, x.node_id))
    return CaseEvaluation(
        title=case.title,
        root=root,
        p=top,
        low=tree.value(root, 1),
        high=tree.value(root, 2),
        evaluated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        nodes=nodes,
        assumptions=assumptions,
        sensitivity=sens,
        warnings=warnings,
    )


def _walk(
    case: SafetyCase, root: str, tree: _Tree, leaves: dict[str, Leaf], warnings: list[str]
) -> tuple[list[NodeResult], list[NodeResult]]:
    nodes: list[NodeResult] = []
    assumptions: dict[str, NodeResult] = {}
    seen: set[str] = set()
    vals = [tree.values(pick) for pick in (0, 1, 2)]
    # pre-order with an explicit stack: (node, depth, parent, assumptions inherited)
    stack: list[tuple[str, int, str | None, list[str]]] = [(root, 0, None, [])]
    while stack:
        nid, depth, parent, inherited = stack.pop()
        n = case.nodes[nid]
        if nid in seen:
            warnings.append(
                f"{nid} is used under more than one goal; its evidence counts once in the "
                "result (the goals above it are not independent)."
                if tree.exact
                else f"{nid} is used under more than one goal; it is counted in each."
            )
            continue
        seen.add(nid)
        relied = [*inherited, *n.assumptions]
        for a in n.assumptions:
            assumptions.setdefault(
                a,
                NodeResult(
                    id=a,
                    type="assumption",
                    text=case.nodes[a].text or "",
                    depth=depth + 1,
                    parent=nid,
                ),
            )
        if n.type == "goal" and not n.children:
            warnings.append(f"Goal {nid} is undeveloped (no children): counted as unknown [0, 1].")
        leaf = leaves.get(nid)
        nodes.append(
            NodeResult(
                id=nid,
                type=n.type,
                text=leaf.claim.quote if leaf else n.text or "",
                depth=depth,
                parent=parent,
                combine=n.combine if n.type == "goal" else None,
                p=vals[0][nid],
                low=vals[1][nid],
                high=vals[2][nid],
                contested=bool(leaf and leaf.open_contradictions),
                assumptions=relied,
                leaf=leaf,
            )
        )
        for c in reversed(n.children):
            stack.append((c, depth + 1, nid, relied))
    unused = sorted(
        k for k, n in case.nodes.items() if n.type in ("goal", "evidence") and k not in seen
    )
    if unused:
        warnings.append(f"Nodes not reachable from {root}: {', '.join(unused)} (not evaluated).")
    return nodes, list(assumptions.values())


def _under(
    case: SafetyCase, order: list[str], leaves: dict[str, Leaf], of_leaf: Callable[[Leaf], set[str]]
) -> dict[str, set[str]]:
    """What `of_leaf` gives for the evidence under each reachable node, bottom-up once."""
    out: dict[str, set[str]] = {}
    for nid in order:
        n = case.nodes[nid]
        if n.type == "evidence":
            out[nid] = of_leaf(leaves[nid])
        else:
            out[nid] = set().union(*(out[c] for c in n.children))
    return out


def _leaf_lines(leaf: Leaf) -> set[str]:
    """A leaf's lines of evidence: its own (or its source) and those supporting it."""
    own = {f"line:{leaf.own_line}"} if leaf.own_line else {f"source:{leaf.claim.source_id}"}
    return own | {x.line for x in leaf.supporting_lines}


def _correlation_warnings(
    case: SafetyCase,
    order: list[str],
    leaves: dict[str, Leaf],
    warnings: list[str],
    names: dict[str, str],
    *,
    exact: bool,
) -> None:
    under = _under(case, order, leaves, _leaf_lines)
    claims = _under(case, order, leaves, lambda leaf: {leaf.claim.claim_id})
    for gid in sorted(order):
        g = case.nodes[gid]
        if g.type != "goal" or len(g.children) < 2:
            continue
        lines = {c: under[c] for c in g.children}
        for a, b in combinations(g.children, 2):
            same = sorted(claims[a] & claims[b])
            shared = sorted(lines[a] & lines[b])
            if same:  # review: one claim under two subgoals was only "a shared line"
                warnings.append(
                    f"{gid} ({g.combine}) combines {a} and {b}, which both rest on claim "
                    f"{same[0]}{f' and {len(same) - 1} more' if len(same) > 1 else ''}: "
                    + (
                        "the result counts it once, so the two are not independent support."
                        if exact
                        else "the combination counts that evidence twice."
                    )
                )
            elif shared:
                warnings.append(
                    f"{gid} ({g.combine}) combines {a} and {b}, which share "
                    f"{len(shared)} line(s) of evidence (line "
                    f"“{names.get(shared[0], shared[0])}”): their errors are "
                    "correlated, so the combination treats as independent what is not."
                )
