"""Reading and writing safety-case files, with errors that point at the problem."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pydantic import ValidationError

from calibration.case.model import SafetyCase
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


def root_of(case: SafetyCase) -> str:
    if case.root:
        return case.root
    referenced = {c for n in case.nodes.values() for c in n.children}
    tops = [k for k, n in case.nodes.items() if n.type == "goal" and k not in referenced]
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
    for nid, n in nodes.items():
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
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(nid: str, path: list[str]) -> None:
        state[nid] = 1
        for child in nodes[nid].children:
            if state.get(child) == 1:
                cycle = " -> ".join([*path[path.index(child) :], child])
                raise InvalidInputError(
                    f"{name}: the case has a cycle: {cycle}.",
                    "A safety case is a tree: remove one of these `children` links.",
                )
            if state.get(child) != 2:
                visit(child, [*path, child])
        state[nid] = 2

    for nid in sorted(nodes):  # every node, so cycles off the root's tree are caught too
        if nodes[nid].type == "goal" and nid not in state:
            visit(nid, [nid])
