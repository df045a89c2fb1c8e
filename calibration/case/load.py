"""Reading and writing safety-case files, with errors that point at the problem."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import yaml
from pydantic import ValidationError

from calibration.case.model import CaseNode, SafetyCase
from consilience.errors import InvalidInputError, NotFoundError

FORMAT_HINT = "See `cases/README.md` (or the docstring of calibration.case.model) for the format."
MAX_CASE_BYTES = 2_000_000


def parse_case(text: str, name: str = "<case>") -> SafetyCase:
    """Parse YAML (or JSON, a subset) into a checked SafetyCase."""
    if len(text.encode("utf-8", "replace")) > MAX_CASE_BYTES:
        raise InvalidInputError(
            f"{name} is larger than 2 MB.", "Split the case into smaller files."
        )
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InvalidInputError(
            f"{name} is not valid YAML{where}: {getattr(exc, 'problem', exc)}", FORMAT_HINT
        ) from None
    except RecursionError:  # "[[[[…]]]]" 1,000 deep: a 500 over the API, a traceback in the CLI
        raise InvalidInputError(
            f"{name} is nested too deeply to read.", f"Flatten the structure. {FORMAT_HINT}"
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError(f"{name} must be a mapping with `title` and `nodes`.", FORMAT_HINT)
    try:
        case = SafetyCase.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'case'}: {e['msg']}" for e in exc.errors()[:8]
        )
        raise InvalidInputError(f"{name} is malformed: {problems}", FORMAT_HINT) from None
    check_structure(case, name)
    return case


def load_case(path: Path) -> SafetyCase:
    if not path.is_file():
        raise NotFoundError(f"No safety-case file at {path}.", "Check the path.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{path} is not UTF-8 text.", FORMAT_HINT) from None
    return parse_case(text, str(path))


def dump_case(case: SafetyCase, fmt: str = "yaml") -> str:
    data = case.model_dump(mode="json", exclude_defaults=True)
    data["version"] = case.version
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


MAX_NODES = 20_000
MAX_ID = 200  # characters of a node id (an id is a label, its `text` the statement)


def root_of(case: SafetyCase) -> str:
    if case.root:
        return case.root
    referenced = {c for n in case.nodes.values() for c in n.children}
    tops = [k for k, n in case.nodes.items() if n.type == "goal" and k not in referenced]
    if not tops and any(n.type == "goal" for n in case.nodes.values()):
        raise InvalidInputError(
            "Cannot tell the top goal: every goal is some goal's child, so the goals form a cycle.",
            "Remove the goal that lists its own ancestor (or itself) as a child, or set "
            "`root: ID` to see the cycle named.",
        )
    if len(tops) != 1:
        raise InvalidInputError(
            f"Cannot tell the top goal: {len(tops)} goals are nobody's child ({tops[:5]}).",
            "Set `root: ID` in the case file.",
        )
    return tops[0]


def check_structure(case: SafetyCase, name: str = "<case>") -> None:
    """References exist and have the right type; the goal graph has no cycle."""
    nodes = case.nodes
    if not nodes:
        raise InvalidInputError(f"{name} has no nodes.", FORMAT_HINT)
    if len(nodes) > MAX_NODES:
        raise InvalidInputError(
            f"{name} has {len(nodes):,} nodes (limit {MAX_NODES:,}).",
            "Split the argument into several cases.",
        )
    for nid, n in nodes.items():
        if len(nid) > MAX_ID:
            raise InvalidInputError(
                f"{name}: a node id is {len(nid):,} characters long (limit {MAX_ID}): "
                f"{nid[:40]!r}….",
                "Give nodes short ids (G1, E2) and put the statement in `text`.",
            )
        twice = sorted(c for c, k in Counter(n.children).items() if k > 1)
        if twice:
            raise InvalidInputError(
                f"{name}: {nid}.children lists {', '.join(twice[:5])} more than once.",
                "List each child once: a repeated child would be counted twice.",
            )
        for field, allowed in (
            ("children", ("goal", "evidence")),
            ("assumptions", ("assumption",)),
            ("context", ("context",)),
        ):
            for ref in getattr(n, field):
                if ref not in nodes:
                    raise InvalidInputError(f"{name}: {nid}.{field} names unknown node {ref!r}.")
                if nodes[ref].type not in allowed:
                    hint = "Assumptions are never evidence: list them under `assumptions`."
                    raise InvalidInputError(
                        f"{name}: {nid}.{field} names {ref!r}, a {nodes[ref].type}; "
                        f"{field} may hold only {' or '.join(allowed)} nodes.",
                        hint if nodes[ref].type == "assumption" else FORMAT_HINT,
                    )
    root = root_of(case)
    if root not in nodes or nodes[root].type != "goal":
        raise InvalidInputError(f"{name}: root {root!r} is not a goal in `nodes`.")
    done: set[str] = set()
    for start in sorted(nodes):  # every goal, so cycles off the root's tree are caught too
        if nodes[start].type == "goal" and start not in done:
            done.add(start)
            _check_acyclic(nodes, start, name, done)


def _check_acyclic(nodes: dict[str, CaseNode], start: str, name: str, done: set[str]) -> None:
    """Depth-first with an explicit stack (a chain of thousands of goals must not hit the
    recursion limit); raises on the first cycle, naming it. `done`: goals already explored."""
    path: list[str] = [start]
    on_path = {start}
    stack = [iter(nodes[start].children)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if child in on_path:
            cycle = " -> ".join([*path[path.index(child) :], child])
            raise InvalidInputError(
                f"{name}: the case has a cycle: {cycle}.",
                "A safety case is a tree: remove one of these `children` links.",
            )
        if child in done or nodes[child].type != "goal":
            continue
        done.add(child)
        path.append(child)
        on_path.add(child)
        stack.append(iter(nodes[child].children))
