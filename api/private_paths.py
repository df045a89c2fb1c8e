"""What the API reveals about files: ids and file names, never the server's paths.

Sources record the path they were ingested from (useful on the command line, where it is
the user's own path). Over HTTP the same value would show the server's directory layout
(home folders, mount points, the upload area), so the API writes only the last component
of any `path` or `source_path` field, wherever it is nested. Two mechanisms, one rule:
- the read routes on `api.rendering.json_route` serialise their typed rows with the
  PRIVATE_PATHS context, under which every `queries.models.ServerPath` field is a file name
  (and such a route is refused when the app is built if a path field is not a ServerPath);
- every other JSON response passes through `PrivatePathsJSONResponse`, which walks the body.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import orjson
from fastapi.responses import JSONResponse

from queries.models import file_name

PATH_FIELDS = frozenset({"path", "source_path"})
_PART = r"""[^\s/'"`()]+"""  # one component of a path written in free text
_BEFORE = r"(?<![\w:/.~])"  # not after a word, ":" or "/" ("bolt://host:7687/x" is no path)
_AFTER = r"""(?![^\s/'"`()])"""  # a component ends where the path ends
# an absolute path: "/" then at least two components (a route such as "/docs" has one)
_ABSOLUTE = re.compile(rf"{_BEFORE}/({_PART})(?:/{_PART})+")
# a path in quotes is one whole, spaces and all
# (an opening quote ends it too: a run of unclosed “/ rescanned the text from each one)
_QUOTED = re.compile(r"""(['"“‘])(/[^'"“‘”’\n]{1,4096})(['"”’])""")
# a file URL (its spaces are %20): the path after "file://" (review: "file:///home/u/x.md" kept
# its whole path, the "/" after ":" reading as a URL's)
_FILE_URL = re.compile(rf"(?<!\w)file://(/{_PART}(?:/{_PART})*)")


def _roots() -> list[Path]:
    """The home and working folders, those that can be known (review: a working folder
    deleted under the server, or no home for its uid, raised inside the error handler and
    turned every error that names a "/" into a 500)."""
    out: list[Path] = []
    for where in (Path.home, Path.cwd):
        try:
            out.append(where())
        except (OSError, RuntimeError):
            continue
    return out


def maybe_hidden(text: str | None) -> str | None:
    """`paths_hidden` for a text that may be absent (a hint, a job's error)."""
    return paths_hidden(text) if text else text


def paths_hidden(text: str) -> str:
    """Free text (an error's message or hint) with every absolute path on this server reduced
    to its file name: "/home/u/proj/.consilience/neo4j/password" (or the file URL
    "file:///home/u/proj/…/password") becomes "password". A path
    is one whose first directory exists here (an API route such as "/sources/{id}/retract"
    is left as it is); one in quotes is taken whole, and the home or working folder whole
    even where its name has a space ("/Users/Jo Smith/proj/x.md"; a space in a folder below
    them, outside quotes, still ends the path there)."""
    if "/" not in text:
        return text

    def here(path: str) -> bool:
        first = path.lstrip("/").split("/", 1)[0]
        return bool(first) and Path("/", first).is_dir()

    text = _FILE_URL.sub(lambda m: file_name(m.group(1)) if here(m.group(1)) else m.group(), text)
    text = _QUOTED.sub(
        lambda m: (
            f"{m.group(1)}{file_name(m.group(2))}{m.group(3)}" if here(m.group(2)) else m.group()
        ),
        text,
    )
    roots = {str(r) for r in _roots()} - {"/"}
    for root in sorted(roots, key=len, reverse=True):
        if root in text:
            under = re.compile(rf"{_BEFORE}{re.escape(root)}(?:/{_PART})*{_AFTER}")
            text = under.sub(lambda m: file_name(m.group()), text)
    return _ABSOLUTE.sub(lambda m: file_name(m.group()) if here(m.group()) else m.group(), text)


def strip_paths(content: Any) -> Any:
    """A copy with every path field reduced to its file name (iterative: no recursion limit)."""
    root: list[Any] = [content]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        value = parent[key]
        if isinstance(value, dict):
            copy: dict[str, Any] = dict(cast(dict[str, Any], value))
            parent[key] = copy
            for k, v in copy.items():
                if k in PATH_FIELDS and isinstance(v, str):
                    copy[k] = file_name(v)
                elif isinstance(v, dict | list):
                    stack.append((copy, k))
        elif isinstance(value, list):
            copy_list: list[Any] = list(cast(list[Any], value))
            parent[key] = copy_list
            for i, v in enumerate(copy_list):
                if isinstance(v, dict | list):
                    stack.append((copy_list, i))
    return root[0]


class PrivatePathsJSONResponse(JSONResponse):
    """JSON with private paths, encoded by orjson (a tenth of the stdlib encoder's time on a
    page of findings; the same compact UTF-8 output, except that NaN and infinity become
    null instead of failing the response)."""

    def render(self, content: Any) -> bytes:
        # non-string keys (an int-keyed map) are written as strings, as json.dumps did
        return orjson.dumps(strip_paths(content), option=orjson.OPT_NON_STR_KEYS)
