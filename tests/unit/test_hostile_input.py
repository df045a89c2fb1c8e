"""Red-team findings of issue #13 reproduced without a database: each test failed before
its fix (paths, encodings, deep markup, safety-case blow-up, cursors, keys)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr

from api.auth import check_key
from calibration.case.evaluate import _Tree, reachable_order
from calibration.case.load import check_structure, parse_case
from calibration.case.model import CaseNode, SafetyCase
from consilience.errors import AuthError, InvalidInputError
from consilience.settings import ApiSettings
from ingest.loaders import load_file
from ingest.loaders.decode import ENCODING_REPAIRED, decode_noted
from ingest.loaders.html import html_blocks
from ingest.pipeline import NOT_REGULAR, NOT_UTF8, expand_paths
from queries.paging import offset_of


# ---- paths ---------------------------------------------------------------------------------
def test_a_dot_folder_in_the_users_own_path_still_ingests(tmp_path: Path) -> None:
    papers = tmp_path / ".cache" / "papers"
    (papers / ".git").mkdir(parents=True)
    (papers / "a.md").write_text("# A\n\nClaim.")
    (papers / ".notes.md").write_text("hidden")
    (papers / ".git" / "HEAD").write_text("ref")
    got = expand_paths([str(papers)])
    assert [f.name for f in got.files] == ["a.md"]  # dot-things *below* the folder are skipped
    # a relative path through ".." works too
    os.chdir(papers)
    assert [f.name for f in expand_paths(["../papers"]).files] == ["a.md"]


def test_a_name_with_brackets_is_a_file_not_a_glob(tmp_path: Path) -> None:
    f = tmp_path / "report [draft] v2.md"
    f.write_text("# R\n\nClaim.")
    got = expand_paths([str(f)])
    assert got.files == [f] and not got.missing
    # a real glob still expands
    assert expand_paths([str(tmp_path / "*.md")]).files == [f]


def test_symlinks_are_refused_unless_asked(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0")
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "real.md").write_text("# R\n\nClaim.")
    (papers / "shadow").symlink_to(secret)
    got = expand_paths([str(papers)])
    assert [f.name for f in got.files] == ["real.md"]
    assert [Path(p).name for p, _ in got.refused] == ["shadow"]
    assert "--follow-symlinks" in got.refused[0][1]
    # named directly, still refused
    assert expand_paths([str(papers / "shadow")]).refused
    assert {f.name for f in expand_paths([str(papers)], follow_symlinks=True).files} == {
        "real.md",
        "shadow",
    }


def test_a_link_a_glob_matched_is_refused_too(tmp_path: Path) -> None:
    """Red-teamed: only the last component was checked, so the glob `papers/*/*.txt` through a
    linked folder read what it points to. The folders typed are the user's own path:
    `../shared/corpus/*.txt` with `../shared` a link is how the main job reads the corpus."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0")
    papers = tmp_path / "papers"
    (papers / "real").mkdir(parents=True)
    (papers / "real" / "paper.txt").write_text("Claim.")
    (papers / "etcdir").symlink_to(outside)
    got = expand_paths([str(papers / "*" / "*.txt")])
    assert [f.name for f in got.files] == ["paper.txt"]
    assert [(Path(p).name, why) for p, why in got.refused] == [
        ("secret.txt", f"symbolic link in its path ({papers / 'etcdir'}) "
         "(pass --follow-symlinks to read it)")
    ]  # fmt: skip
    # typed, the linked folder is the user's: a glob below it, or a file in it, is read
    assert [f.name for f in expand_paths([str(papers / "etcdir" / "*.txt")]).files] == [
        "secret.txt"
    ]
    assert expand_paths([str(papers / "etcdir" / "secret.txt")]).files
    # the folder named: the linked folder is refused as a link, not entered
    got = expand_paths([str(papers)])
    assert [f.name for f in got.files] == ["paper.txt"] and len(got.refused) == 1
    # asked to follow: the linked folder is read like any other, once, even through a loop
    (papers / "real" / "back").symlink_to(papers)
    followed = expand_paths([str(papers)], follow_symlinks=True)
    assert sorted(f.name for f in followed.files) == ["paper.txt", "secret.txt"]
    assert not followed.refused


def test_a_link_to_the_working_folder_is_the_users_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`/home` is a link to `/var/home` on some systems: a path typed through it is the
    user's own (checking every component refused every absolute path under $HOME)."""
    real = tmp_path / "var" / "home"
    (real / "papers").mkdir(parents=True)
    (real / "papers" / "a.txt").write_text("A claim.")
    (tmp_path / "home").symlink_to(real)
    monkeypatch.chdir(tmp_path / "home")
    for given in ("papers", str(tmp_path / "home" / "papers")):
        got = expand_paths([given])
        assert [f.name for f in got.files] == ["a.txt"] and not got.refused, given
    assert expand_paths([str(tmp_path / "*" / "papers")]).refused  # matched by a glob


def test_a_file_name_that_is_not_utf8_is_refused_by_name_not_a_crash(tmp_path: Path) -> None:
    """Red-teamed: 'latin1-\\xe9.txt' failed in the database driver with a traceback."""
    (tmp_path / "good.txt").write_text("A claim.")
    bad = os.fsdecode(bytes(tmp_path) + b"/latin1-\xe9.txt")
    Path(bad).write_bytes(b"Another claim.")
    got = expand_paths([str(tmp_path)])
    assert [f.name for f in got.files] == ["good.txt"]
    assert [(Path(p).name, why) for p, why in got.refused] == [("latin1-\ufffd.txt", NOT_UTF8)]
    assert got.refused[0][0].encode("utf-8")  # printable


def test_a_device_is_refused_as_not_a_regular_file() -> None:
    """Red-teamed: `ingest /dev/null` said "no such file or folder"."""
    got = expand_paths(["/dev/null"])
    assert not got.files and not got.missing and got.refused == [("/dev/null", NOT_REGULAR)]


# ---- encodings and markup ------------------------------------------------------------------
def test_one_bad_byte_keeps_utf8_and_says_so() -> None:
    good = "Café résumé — the model’s accuracy rose to 91%. " * 40
    data = good.encode() + b"\xff" + good.encode()
    text, flags = decode_noted(data, "x.txt")
    assert "Café résumé — the model’s" in text and "\ufffd" in text
    assert flags == [ENCODING_REPAIRED]
    _, docs = load_file(Path("x.txt"), data)
    assert ENCODING_REPAIRED in docs[0].flags
    # real Latin-1 text is still detected as such, not "repaired"
    latin = ("Café résumé à la carte, naïve façade. " * 40).encode("latin-1")
    text, flags = decode_noted(latin, "y.txt")
    assert "Café résumé" in text and not flags


def test_html_nested_thousands_deep_parses() -> None:
    deep = "<div>" * 3000 + "<p>The deep claim survives.</p>" + "</div>" * 3000
    _, blocks = html_blocks(f"<html><body>{deep}<p>After it.</p></body></html>")
    assert [b.text for b in blocks] == ["The deep claim survives.", "After it."]
    inline = "<span>" * 3000 + "Inline text." + "</span>" * 3000
    _, blocks = html_blocks(f"<html><body><p>{inline}</p></body></html>")
    assert [b.text for b in blocks] == ["Inline text."]


# ---- safety cases --------------------------------------------------------------------------
def _diamond_chain(levels: int) -> SafetyCase:
    """G0 -> (G1a, G1b) -> G2 -> ...: each level reached twice, 2**levels paths to the leaf."""
    nodes: dict[str, CaseNode] = {}
    for i in range(levels):
        nodes[f"G{i}"] = CaseNode(type="goal", text=f"g{i}", children=[f"L{i}a", f"L{i}b"])
        for side in "ab":
            nxt = f"G{i + 1}" if i + 1 < levels else "E"
            nodes[f"L{i}{side}"] = CaseNode(type="goal", text="x", children=[nxt])
    nodes["E"] = CaseNode(type="evidence", claim="c1")
    return SafetyCase(title="diamonds", root="G0", nodes=nodes)


def test_shared_subgoals_are_evaluated_once_not_exponentially(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import calibration.case.evaluate as ev

    small = _diamond_chain(3)  # G0 = all-of(L0a, L0b) with L0a = L0b = G1 ...: one claim
    # the one claim is one event: it was multiplied by itself once per path (0.9 ** 8)
    assert _Tree(small, "G0", {"E": (0.9, 0.8, 0.95)}).value("G0", 0) == pytest.approx(0.9)
    case = _diamond_chain(40)  # 2**40 paths to the leaf: the naive recursion never finished
    check_structure(case)
    calls = []
    real = ev._combine
    monkeypatch.setattr(ev, "_combine", lambda k, ps: calls.append(1) or real(k, ps))
    tree = _Tree(case, "G0", {"E": (0.9, 0.8, 0.95)})
    assert tree.value("G0", 0) == pytest.approx(0.9)
    # each goal combined once per assignment of the one shared claim (true, false)
    assert len(calls) == 2 * (len(case.nodes) - 1)
    assert tree.value("G0", 1) == pytest.approx(0.8)
    assert tree.value("G0", 0, {"E": 0.5}) == pytest.approx(0.5)  # sensitivity: the claim
    assert len(reachable_order(case, "G0")) == len(case.nodes)


def test_a_tree_without_shared_claims_recomputes_only_an_overrides_ancestors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import calibration.case.evaluate as ev

    n = 40
    nodes = {
        f"G{i}": CaseNode(
            type="goal", text="g", children=[f"E{i}", f"G{i + 1}" if i + 1 < n else "EN"]
        )
        for i in range(n)
    }
    for i in [*range(n), "N"]:
        nodes[f"E{i}"] = CaseNode(type="evidence", claim=f"c{i}")
    case = SafetyCase(title="comb", root="G0", nodes=nodes)
    leaf = {f"E{i}": (0.99, 0.9, 1.0) for i in [*range(n), "N"]}
    tree = _Tree(case, "G0", leaf, {k: f"c{k}" for k in leaf})
    assert tree.exact and not tree.shared
    assert tree.value("G0", 0) == pytest.approx(0.99 ** (n + 1))
    calls = []
    real = ev._combine
    monkeypatch.setattr(ev, "_combine", lambda k, ps: calls.append(1) or real(k, ps))
    assert tree.value("G0", 0, {"E39": 0.5}) == pytest.approx(0.99**n * 0.5)
    assert len(calls) == n  # E39's ancestors: G39 .. G0


def _case(nodes: dict[str, CaseNode]) -> SafetyCase:
    return SafetyCase(title="t", root="G", nodes=nodes)


def _two_subgoals(*claims: str) -> dict[str, CaseNode]:
    """G = all-of(A, B), A = all-of(E1, E2), B = all-of(E3, E4); evidence Ei cites claims[i-1]."""
    nodes = {
        "G": CaseNode(type="goal", text="g", children=["A", "B"]),
        "A": CaseNode(type="goal", text="a", children=["E1", "E2"]),
        "B": CaseNode(type="goal", text="b", children=["E3", "E4"]),
    }
    for i, c in enumerate(claims, 1):
        nodes[f"E{i}"] = CaseNode(type="evidence", claim=c)
    return nodes


def test_one_claim_under_two_subgoals_is_one_event_not_two() -> None:
    """Red-teamed at stop 53: G = all-of(A, B), A = all-of(E1, E2), B = all-of(E3, E4) with
    E1 and E3 citing one claim multiplied that claim's confidence by itself."""
    nodes = _two_subgoals("shared", "c2", "shared", "c4")
    leaf = {"E1": (0.6, 0.5, 0.7), "E2": (0.9, 0.8, 1.0), "E3": (0.6, 0.5, 0.7),
            "E4": (0.8, 0.7, 0.9)}  # fmt: skip
    claim = {"E1": "shared", "E2": "c2", "E3": "shared", "E4": "c4"}
    tree = _Tree(_case(nodes), "G", leaf, claim)
    assert tree.shared == ["claim:shared"]
    assert tree.value("G", 0) == pytest.approx(0.6 * 0.9 * 0.8)  # not 0.6 * 0.6 * 0.9 * 0.8
    assert tree.value("A", 0) == pytest.approx(0.6 * 0.9)  # each node exact too
    assert tree.value("G", 1) == pytest.approx(0.5 * 0.8 * 0.7)
    # raising one citation of the claim raises the claim: both places move
    assert tree.value("G", 0, {"E1": 1.0}) == pytest.approx(0.9 * 0.8)
    # any-of over the two: P(shared and (c2 or c4)) -- not 1 - (1 - .54)(1 - .48)
    nodes["G"] = CaseNode(type="goal", text="g", combine="any-of", children=["A", "B"])
    tree = _Tree(_case(nodes), "G", leaf, claim)
    assert tree.value("G", 0) == pytest.approx(0.6 * (1 - 0.1 * 0.2))


def test_brute_force_agrees_with_the_exact_combination() -> None:
    """Every assignment of the three claims enumerated by hand, on a case that shares a
    subgoal, a claim under two names and an undeveloped goal."""
    import itertools

    nodes = {
        "G": CaseNode(type="goal", text="g", combine="any-of", children=["A", "B", "U"]),
        "A": CaseNode(type="goal", text="a", children=["S", "E1"]),
        "B": CaseNode(type="goal", text="b", children=["S", "E2"]),
        "S": CaseNode(type="goal", text="s", combine="any-of", children=["E3", "U"]),
        "U": CaseNode(type="goal", text="undeveloped"),
        "E1": CaseNode(type="evidence", claim="x"),
        "E2": CaseNode(type="evidence", claim="y"),
        "E3": CaseNode(type="evidence", claim="x"),
    }
    p = {"x": 0.7, "y": 0.4, "u": 0.5}
    leaf = {"E1": (0.7, 0.7, 0.7), "E2": (0.4, 0.4, 0.4), "E3": (0.7, 0.7, 0.7)}
    want = 0.0
    for x, y, u in itertools.product((0, 1), repeat=3):
        w = (p["x"] if x else 1 - p["x"]) * (p["y"] if y else 1 - p["y"]) * 0.5
        s = x or u
        want += w * bool((s and x) or (s and y) or u)
    tree = _Tree(_case(nodes), "G", leaf, {"E1": "x", "E2": "y", "E3": "x"})
    assert sorted(tree.shared) == ["claim:x", "goal:U"]
    assert tree.value("G", 0) == pytest.approx(want)


def test_too_many_shared_claims_fall_back_and_say_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import calibration.case.evaluate as ev

    monkeypatch.setattr(ev, "MAX_SHARED", 1)
    nodes = _two_subgoals("x", "y", "x", "y")
    leaf = dict.fromkeys(["E1", "E2", "E3", "E4"], (0.5, 0.4, 0.6))
    tree = _Tree(_case(nodes), "G", leaf, {"E1": "x", "E2": "y", "E3": "x", "E4": "y"})
    assert not tree.exact and tree.counted_twice == ["claim:x", "claim:y"]
    assert tree.value("G", 0) == pytest.approx(0.5**4)  # counted once per path, as warned


def test_a_long_chain_of_goals_is_checked_and_evaluated_without_recursion() -> None:
    n = 5000
    nodes = {
        f"G{i}": CaseNode(type="goal", text="g", children=[f"G{i + 1}" if i + 1 < n else "E"])
        for i in range(n)
    }
    nodes["E"] = CaseNode(type="evidence", claim="c1")
    case = SafetyCase(title="chain", root="G0", nodes=nodes)
    check_structure(case)
    assert _Tree(case, "G0", {"E": (0.7, 0.6, 0.8)}).value("G0", 2) == pytest.approx(0.8)
    nodes["E"] = CaseNode(type="goal", text="e", children=["G10"])  # close a cycle
    with pytest.raises(InvalidInputError, match="cycle"):
        check_structure(SafetyCase(title="chain", root="G0", nodes=nodes))


def test_a_child_listed_twice_is_an_error() -> None:
    text = (
        "title: t\nnodes:\n  G1: {type: goal, text: g, children: [E1, E1]}\n"
        "  E1: {type: evidence, claim: c}\n"
    )
    with pytest.raises(InvalidInputError, match="more than once"):
        check_structure(parse_case(text))


def test_yaml_nested_thousands_deep_is_invalid_input_not_a_crash() -> None:
    """Red-teamed: a case with `extra: [[[…]]]` 1,000 deep gave 500 over the API and a
    traceback in the CLI (RecursionError in the YAML scanner)."""
    deep = "title: t\nnodes:\n  E1: {type: evidence, quote: x, extra: " + "[" * 5000
    with pytest.raises(InvalidInputError, match="nested too deeply"):
        parse_case(deep + "]" * 5000 + "}\n", "deep.yaml")


def test_front_matter_nested_thousands_deep_is_ignored_and_the_body_read() -> None:
    """Red-teamed: such front matter failed the whole file with a printed traceback."""
    text = "---\ntitle: Deep FM\nx: " + "[" * 3000 + "]" * 3000 + "\n---\n# Body\n\nA claim here.\n"
    _, docs = load_file(Path("deep.md"), text.encode())
    assert "A claim here." in docs[0].blocks[-1].text


# ---- API inputs ----------------------------------------------------------------------------
@pytest.mark.parametrize("cursor", ["²", "٣", "9" * 30, str(2**63), "-1", "1e3"])
def test_odd_offset_cursors_are_invalid_input(cursor: str) -> None:
    with pytest.raises(InvalidInputError, match="cursor"):
        offset_of(cursor)


def test_offset_cursor_round_trips() -> None:
    assert offset_of(None) == 0 and offset_of("") == 0 and offset_of("40") == 40


def test_non_ascii_api_key_is_unauthorised_not_a_crash() -> None:
    settings = ApiSettings(keys=[SecretStr("right-key")])
    with pytest.raises(AuthError):
        check_key(settings, "clé-ünïcode", write=True)
    check_key(settings, "right-key", write=True)


# ---- secrets and files ---------------------------------------------------------------------
def test_keys_in_the_query_string_never_reach_the_access_log() -> None:
    import logging

    from api.access_log import RedactSecrets, redact_query

    assert redact_query("/findings?api_key=s3cret&q=probes") == (
        "/findings?api_key=[redacted]&q=probes"
    )
    rec = logging.LogRecord(
        "uvicorn.access", 20, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/x?X-API-Key=s3cret&token=t0k", "1.1", 401), None,
    )  # fmt: skip
    RedactSecrets().filter(rec)
    assert "s3cret" not in rec.getMessage() and "t0k" not in rec.getMessage()


def test_the_initial_password_is_never_a_process_argument(tmp_path: Path) -> None:
    from kg.server import initial_password_command

    cmd = initial_password_command("java", tmp_path / "lib", tmp_path / "args")
    assert cmd[-1] == f"@{tmp_path / 'args'}" and not any("set-initial" in c for c in cmd)


def test_private_files_and_folders(tmp_path: Path) -> None:
    import stat

    from kg.private import private_dir, write_private_bytes

    d = tmp_path / "data"
    d.mkdir(mode=0o755)
    private_dir(d)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    f = d / "f"
    f.write_text("old")
    f.chmod(0o644)
    write_private_bytes(f, b"new")
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and f.read_bytes() == b"new"


def test_a_case_too_large_to_condition_on_falls_back_and_an_orphan_leaf_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Review: sensitivity reran every assignment of the shared claims over the whole case,
    once per leaf (144 leaves, 12 shared claims: 70 s; the API takes 20,000-node cases); an
    evidence node no goal reaches failed sensitivity with a KeyError."""
    import calibration.case.evaluate as ev

    nodes = _two_subgoals("x", "y", "x", "z")
    nodes["ORPHAN"] = CaseNode(type="evidence", claim="w")
    leaf = dict.fromkeys(["E1", "E2", "E3", "E4", "ORPHAN"], (0.5, 0.4, 0.6))
    claim = {"E1": "x", "E2": "y", "E3": "x", "E4": "z", "ORPHAN": "w"}
    tree = _Tree(_case(nodes), "G", leaf, claim)
    assert tree.exact and tree.value("G", 0) == pytest.approx(0.5**3)
    assert tree.value("G", 0, {"ORPHAN": 0.9}) == tree.value("G", 0)
    monkeypatch.setattr(ev, "EXACT_BUDGET", 10)
    big = _Tree(_case(nodes), "G", leaf, claim)
    assert not big.exact and big.counted_twice == ["claim:x"]
    assert big.value("G", 0) == pytest.approx(0.5**4)
    assert big.value("G", 0, {"ORPHAN": 0.9}) == big.value("G", 0)
