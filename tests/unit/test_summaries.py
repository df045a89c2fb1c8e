from investigators.summaries import detect_summaries


def test_short_source_restating_a_long_one_is_a_summary() -> None:
    source_of = {f"s{i}": "SUM" for i in range(4)} | {f"p{i}": "POST" for i in range(4)}
    source_of |= {"x": "OTHER", "y": "POST"}
    close = {("p0", "s0"): 0.9, ("p1", "s1"): 0.9, ("p2", "s2"): 0.88, ("x", "y"): 0.9}
    claims_in = {"SUM": 10, "POST": 100, "OTHER": 50}
    assert detect_summaries(close, source_of, claims_in) == [("SUM", "POST", 0.3)]
    assert detect_summaries(close, source_of, {"SUM": 40, "POST": 100, "OTHER": 50}) == []
