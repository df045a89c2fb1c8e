"""The calibrated judge: the shipped model, the decision rules and bad inputs."""

from __future__ import annotations

import dataclasses
import math
import shutil
from pathlib import Path

import pytest

from consilience.errors import ModelIntegrityError
from ingest.claims.numbers import extract_numbers
from investigators.nli.controls import Control, control_readings
from investigators.nli.judge import Judge, JudgeParams, Side, decide, scores
from investigators.nli.model import MODEL_DIR, NLIModel, NLIScores
from tests.claims import view

SURE = NLIScores(entailment=0.02, neutral=0.03, contradiction=0.95)


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge(NLIModel())


def test_probabilities_in_both_directions_and_rationale(judge: Judge) -> None:
    (j,) = judge.judge(
        [
            (
                Side("Probes detect deception in agents."),
                Side("Probes fail to detect deception in agents."),
            )
        ]
    )
    for s in (j.ab, j.ba):
        assert abs(s.entailment + s.neutral + s.contradiction - 1) < 1e-4
    assert abs(j.p_contradiction + j.p_convergence + j.p_unrelated - 1) < 1e-3
    assert "NLI contradiction" in j.rationale and "(A→B / B→A)" in j.rationale


def test_different_conditions_are_not_a_contradiction() -> None:
    params = JudgeParams.default()
    a = Side("Qwen3-8B refuses 80% of harmful requests.")
    b = Side("Llama-3-70B refuses 10% of harmful requests.")
    j = decide(a, b, SURE, SURE, params)
    assert j.kind == "unrelated" and "different conditions" in j.rationale
    same = decide(a, Side("Qwen3-8B refuses 10% of harmful requests."), SURE, SURE, params)
    assert same.kind == "contradicts"


def test_contradiction_one_way_against_entailment_the_other_is_discounted() -> None:
    """Contradiction is symmetric and excludes entailment: a one-word paraphrase the model
    read as contradiction A→B but entailment B→A is not called, nor an unrelated pair read as
    contradiction one way only; a negation read as contradiction one way and (wrongly)
    half-entailment the other still is."""
    params = JudgeParams.load()
    a = Side("HHH models almost always answer the user's main query.")
    b = Side("HHH models almost always answer the user's primary query.")
    para_ab = NLIScores(entailment=0.69, neutral=0.03, contradiction=0.28)
    para_ba = NLIScores(entailment=0.04, neutral=0.03, contradiction=0.93)
    assert decide(a, b, para_ab, para_ba, params).kind != "contradicts"
    assert decide(b, a, para_ba, para_ab, params).kind != "contradicts"
    # read so both ways, without the other direction's entailment, it is a contradiction
    assert decide(a, b, para_ba, para_ba, params).kind == "contradicts"
    one_sided = NLIScores(entailment=0.02, neutral=0.26, contradiction=0.72)
    other = NLIScores(entailment=0.0, neutral=0.99, contradiction=0.01)
    e = Side("We'll share what we learn with the community.")
    f = Side("People don't typically try to do this.")
    assert decide(e, f, one_sided, other, params).kind != "contradicts"
    neg_ab = NLIScores(entailment=0.58, neutral=0.05, contradiction=0.37)
    neg_ba = NLIScores(entailment=0.01, neutral=0.01, contradiction=0.98)
    c = Side("It often tells itself that it should comply with harmful requests.")
    d = Side("It often says that it should not comply with harmful requests from users.")
    # the mean of the discounted directions is 0.5016, over the threshold by a hair; the
    # negation cue (weight 0.75 here: 50% shared content, not a minimal pair) lifts it to 0.58
    mean = (0.37 * math.sqrt(0.99) + 0.98 * math.sqrt(0.42)) / 2
    assert abs(scores(neg_ab, neg_ba)[0] - mean) < 1e-9
    j = decide(c, d, neg_ab, neg_ba, params)
    assert j.kind == "contradicts" and "negation" in j.rationale
    assert "minimal pair" not in j.rationale
    assert j.contradiction_score == pytest.approx(1 - (1 - mean) * (1 - 0.2 * 0.75), abs=1e-3)


def test_a_minimal_pair_is_a_contradiction_whatever_the_model_reads() -> None:
    """The same statement but for one negation or one opposite word (bench/judgement (c)'s
    recommendation misses): the model read "should comply" / "should not comply" as entailment
    0.92 one way, and "choose between the best ..." / "the worst ..." as entailment 0.54 / 0.73.
    A negation with less content shared, or a paraphrase, is not lifted."""
    params = JudgeParams.load()
    ent = NLIScores(entailment=0.92, neutral=0.03, contradiction=0.05)
    con = NLIScores(entailment=0.01, neutral=0.01, contradiction=0.98)
    a = Side("On harmful requests it tells itself that it should comply.")
    b = Side("On harmful requests it tells itself that it should not comply.")
    j = decide(a, b, ent, con, params)
    assert j.kind == "contradicts" and "minimal pair" in j.rationale
    assert j.contradiction_score > 0.7
    best = Side("A model would choose between the best short and best long trajectories.")
    worst = Side("A model would choose between the worst short and best long trajectories.")
    mild = NLIScores(entailment=0.54, neutral=0.0, contradiction=0.46)
    assert decide(best, worst, mild, mild, params).kind == "contradicts"
    # the rule alone: model readings that say nothing
    flat = NLIScores(entailment=0.0, neutral=1.0, contradiction=0.0)
    assert decide(a, b, flat, flat, params).kind == "contradicts"
    # a negation between statements that share half their content is left to the model
    c = Side("It often tells itself that it should comply with harmful requests.")
    d = Side("It often says that it should not comply with harmful requests from users.")
    assert decide(c, d, flat, flat, params).kind != "contradicts"
    # a negated hedge is not the claim's negation, and a converse says the same thing
    claim = Side("Training on synthetic data makes language models collapse in five generations.")
    hedged = Side(
        "It is not clear whether training on synthetic data makes language models collapse in "
        "five generations."
    )
    larger = Side("Larger models are better than smaller models at code generation.")
    smaller = Side("Smaller models are worse than larger models at code generation.")
    before = Side("Evaluations should run before deployment decisions are made.")
    after = Side("Deployment decisions should be made after evaluations run.")
    for x, y in ((claim, hedged), (larger, smaller), (before, after)):
        j = decide(x, y, flat, flat, params)
        assert j.kind != "contradicts" and "minimal pair" not in j.rationale
    # a paraphrase, and a difference of model (scope) beside the negation, are not minimal pairs
    p = Side("On harmful requests it tells itself that it ought to comply.")
    assert decide(a, p, flat, flat, params).kind != "contradicts"
    q = Side(
        "Qwen3-8B often tells itself on harmful requests from users that it should comply "
        "with their instructions."
    )
    r = Side(
        "Llama-3-70B often tells itself on harmful requests from users that it should not "
        "comply with their instructions."
    )
    scoped = decide(q, r, flat, flat, params)
    assert "minimal pair" not in scoped.rationale and scoped.kind != "contradicts"
    assert "different conditions" in scoped.rationale


def test_questions_and_reported_views_never_contradict() -> None:
    params = JudgeParams.default()
    q = decide(Side("Does steering work?"), Side("Steering works."), SURE, SURE, params)
    r = decide(
        Side("Steering works.", speaker="(reported view)"),
        Side("Steering fails."),
        SURE,
        SURE,
        params,
    )
    assert q.kind != "contradicts" and r.kind != "contradicts"


def test_bad_statements_get_a_note_not_a_crash(judge: Judge) -> None:
    empty, one, foreign, long_ = judge.judge(
        [
            (Side(""), Side("Steering works.")),
            (Side("Steering"), Side("Steering works.")),
            (Side("Модель работает хорошо и надёжно."), Side("The model works well.")),
            (Side("word " * 2000), Side("Steering works.")),
        ]
    )
    assert empty.kind == "unrelated" and "has no words" in empty.rationale
    assert "single word: judgement is unreliable" in one.rationale
    words, not_exactly = judge.judge(
        [(Side("x"), Side("y")), (Side("Not exactly."), Side("Exactly."))]
    )
    assert words.kind == "unrelated" and "two single words: nothing to compare" in words.rationale
    assert not_exactly.kind != "unrelated" or not_exactly.p_unrelated < 1.0  # one word is read
    for sure in (empty, words):  # the three probabilities say it too
        assert (sure.score, sure.p_unrelated, sure.p_contradiction, sure.p_convergence) == (
            1.0, 1.0, 0.0, 0.0,
        )  # fmt: skip
    assert "non-English" in foreign.rationale
    assert "truncated" in long_.rationale


def test_latin_script_and_cjk_statements_that_are_not_english_get_the_note() -> None:
    """Red-teamed: French, Spanish and German had no note; Chinese was 'a single word'."""
    from investigators.nli.judge import input_notes

    for text in (
        "Les modèles de langage sont dangereux pour la société.",
        "Los modelos de lenguaje son peligrosos para la sociedad.",
        "Die Sprachmodelle sind für die Gesellschaft nicht sicher.",
        "模型是安全的。",
    ):
        assert input_notes(text, "Language models are dangerous.") == [
            "A looks non-English: the model was trained on English only"
        ], text
    for text in (  # English, however terse or accented
        "Linear probes detect deception.",
        "The Über-model's résumé of the café study is in the appendix.",
        "Sandbagging rates differ by model and by evaluation de novo.",
        "Throughput is 30 tokens per second per GPU.",
        "Non-convex, non-smooth losses make the optimiser con the judge.",
    ):
        assert input_notes(text, "Models are safe.") == [], text
    assert input_notes("x", "Models are safe.") == ["A is a single word: judgement is unreliable"]


def test_missing_or_changed_model_file_is_a_clear_error(tmp_path: Path) -> None:
    copy = tmp_path / "m"
    shutil.copytree(MODEL_DIR, copy)
    with pytest.raises(ModelIntegrityError, match="missing"):
        NLIModel(tmp_path / "nowhere").predict([("a", "b")])
    with (copy / "model.int8.onnx").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\x00\x01\x02")
    with pytest.raises(ModelIntegrityError) as err:
        NLIModel(copy).predict([("a", "b")])
    assert "sha256" in str(err.value) and "git checkout" in err.value.hint


def test_content_free_claims_are_not_judged(judge: Judge) -> None:
    """Vague one-liners read as contradicting anything; the investigator does not judge them."""
    from investigators.base import CandidatePair, Independence
    from investigators.nli_judge import NLIJudgeInvestigator, checkable

    vague = view("a", "That said, this seems unlikely.")
    real = view("b", "Linear probes detect deceptive behaviour in most transcripts we examined.")
    other = view(
        "c", "Linear probes never detect deceptive behaviour in the transcripts we examined."
    )
    assert not checkable(vague) and checkable(real)
    # the main job's top three contradictions on the corpus: a list's introduction (twice)
    # and a heading that ends like a sentence; a sentence naming several products is kept
    intro = view("d", "Concretely, we expect to award up to:")
    quoted = view("e", "The two failure modes we found were (see the appendix):”")
    heading = view("f", "More Reaction To The Executive Order.")
    reference = view("g", "Knight, C. Q., Deshpande, K., Sirdeshmukh, V., and Michael, J. (2025).")
    names = view("h", "OpenAI, Anthropic and Google DeepMind signed the Seoul commitments in May.")
    for c in (intro, quoted, heading, reference):
        assert not checkable(c), c.text
    assert checkable(names)
    ind = Independence(independent=True, reason="test")
    inv = NLIJudgeInvestigator(judge)
    assert inv.investigate([CandidatePair(a=vague, b=real, similarity=0.3, independence=ind)]) == []
    (v,) = inv.investigate([CandidatePair(a=real, b=other, similarity=0.9, independence=ind)])
    assert v.kind == "contradicts" and "NLI contradiction" in v.rationale


def test_a_statement_and_its_quotation_are_a_restatement_whatever_the_model_reads(
    judge: Judge,
) -> None:
    """The shipped model reads this sentence as contradicting itself (0.95 / 0.99 against its
    quotation in a summary: the second contradiction of the main job's report); the same words
    in the same order are one claim, so the judge calls a convergence and the investigator a
    restatement, even between independent sources."""
    from investigators.base import CandidatePair, Independence
    from investigators.nli.judge import same_statement
    from investigators.nli_judge import NLIJudgeInvestigator

    text = (
        "If we plan to defer to AIs, I think it's safest to do so only a bit above the minimum "
        "level of qualitative capability/intelligence required to automate safety research, "
        "implementation, and strategy."
    )
    quoted = f'"{text}"'
    assert same_statement(quoted, text) and same_statement(text.upper(), f"“{text}”")
    assert not same_statement(text, text.replace("only a bit", "well"))
    assert not same_statement("", "") and not same_statement("Probes work.", "Probes do not work.")
    (j,) = judge.judge([(Side(quoted), Side(text))])
    assert j.kind == "converges_with" and j.same and j.score == 1.0
    assert (j.p_contradiction, j.p_convergence, j.p_unrelated) == (0.0, 1.0, 0.0)
    assert "the same statement" in j.rationale
    a, b = view("a", quoted), view("b", text)
    ind = Independence(independent=True, reason="test")
    (v,) = NLIJudgeInvestigator(judge).investigate(
        [CandidatePair(a=a, b=b, similarity=0.99, independence=ind)]
    )
    assert v.kind == "restates"


class CountingModel(NLIModel):
    """The real model, counting the pairs it is asked to read."""

    def __init__(self) -> None:
        super().__init__()
        self.read = 0

    def predict(self, pairs: list[tuple[str, str]], *, allow_exit: bool = True) -> list[NLIScores]:
        self.read += len(pairs)
        return super().predict(pairs, allow_exit=allow_exit)


def test_the_memo_forgets_the_oldest_readings_not_all_of_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A second investigator asking about the pairs just judged costs no model call, even
    when the memo is full (it used to be cleared whole, and the batch read again)."""
    import investigators.nli.judge as judge_module

    monkeypatch.setattr(judge_module, "MEMO_SIZE", 4)
    model = CountingModel()
    judge = Judge(model, JudgeParams(), skip_neutral=None)
    first = [
        (Side(f"Probes detect deception in setting {i}."), Side("Probes fail.")) for i in range(3)
    ]
    second = [
        (Side(f"Monitors catch sabotage in run {i}."), Side("Monitors fail.")) for i in range(3)
    ]
    judge.judge(first)
    assert model.read == 6  # both directions of three pairs
    judge.judge(second)  # six pairs, at most four remembered: the oldest two go
    assert model.read == 12 and len(judge._memo) == 4
    again = judge.judge(second)  # the adjudicator asking about the batch just judged
    assert model.read == 12 and len(again) == 3
    judge.judge(first[:1])  # forgotten: read again
    assert model.read == 14


def test_a_pair_reads_the_same_alone_and_in_any_company() -> None:
    """Dynamic int8 quantisation scales each call's activations: read in a padded batch, a
    pair's probabilities depended on its batch mates (up to 0.32 on TaxiNLI), so the same
    pair could be a finding in one run and not in another. Each pair is now read alone."""
    pairs = (
        [
            ("Probes detect deception in agents.", "Probes fail to detect deception in agents."),
            ("The model sandbagged less often than the baseline.", "It sandbags much more often."),
            ("Unlearning removes the hazardous knowledge.", "Fine-tuning brings it back."),
            ("A", "B"),
        ]
        + [
            (f"Training run {i} on {i * 3} tokens improved accuracy by {i}%.", f"Run {i} failed.")
            for i in range(40)
        ]
        + [(" ".join(["long"] * 200), "short")]
    )
    together = NLIModel(threads=2).predict(pairs)
    for i in (0, 1, 2, 3, 17, len(pairs) - 1):
        assert NLIModel(threads=1).predict([pairs[i]])[0] == together[i]
    assert NLIModel(threads=1).predict(pairs[::-1])[::-1] == together


def test_workers_follow_the_cpu_quota_and_a_failing_read_is_raised(tmp_path: Path) -> None:
    from consilience.cpu import cores as _cores

    quota = tmp_path / "cpu.max"
    quota.write_text("50000 100000\n")  # `docker --cpus=0.5`
    assert _cores(quota) == 1
    quota.write_text("150000 100000\n")  # `docker --cpus=1.5`
    assert _cores(quota) == min(2, _cores(tmp_path / "absent"))
    quota.write_text("max 100000\n")
    assert _cores(quota) == _cores(tmp_path / "absent") >= 1
    with pytest.raises(ValueError, match="threads must be 0"):
        NLIModel(threads=-1)

    class Broken:
        def run(self, *args: object) -> None:
            raise RuntimeError("onnxruntime failed")

    model = NLIModel(threads=2)
    model.predict([("a", "b")])  # loads the model
    model._session = Broken()  # pyright: ignore[reportAttributeAccessIssue]
    with pytest.raises(RuntimeError, match="onnxruntime failed"):
        model.predict([("premise", "hypothesis")] * 100)  # several spans on two workers


QUALITIES = (
    "Qualities that might be expected to generalize well according to this notion are those "
    "corresponding to classic human goodness: honesty, integrity, courage, and so on."
)
HUB = (
    "We show that the result of LLM evaluation is consistent with the results obtained by "
    "expert human evaluation: the texts rated higher by human experts are also rated higher "
    "by the LLMs."
)


def test_an_entailment_counts_only_above_the_hypothesis_control() -> None:
    """A reading into a side that unrelated premises also draw is no evidence of agreement:
    the convergence score counts only the part above the side's control; the contradiction
    score is unchanged (SNLI's convention makes contradiction controls meaningless)."""
    params = JudgeParams.default()
    one_way = NLIScores(entailment=0.99, neutral=0.01, contradiction=0.0)
    back = NLIScores(entailment=0.0, neutral=1.0, contradiction=0.0)
    a, b = Side(QUALITIES), Side(HUB)
    plain = decide(a, b, one_way, back, params)
    assert plain.kind == "converges_with"
    hub = (Control(), Control(entailment=0.7))
    controlled = decide(a, b, one_way, back, params, controls=hub)
    assert controlled.kind == "unrelated"
    assert "B reads as entailed after unrelated control premises too (up to 0.70)" in (
        controlled.rationale
    )
    # the control of the other side (A is not the hypothesis of the A→B reading) changes nothing
    other = decide(a, b, one_way, back, params, controls=(Control(entailment=0.7), Control()))
    assert other.kind == "converges_with" and other.convergence_score == plain.convergence_score
    sure = NLIScores(entailment=0.02, neutral=0.03, contradiction=0.95)
    assert scores(sure, sure, None, hub)[0] == scores(sure, sure)[0]


def test_the_judge_reads_controls_for_would_be_convergences(judge: Judge) -> None:
    """With the shipped model: a sentence unrelated premises 'entail' (the main job's hub,
    entailed 0.70 after "The museum is closed on Mondays.") is no longer a convergence with a
    sentence on another subject that the model reads as entailing it 1.00; two papers that
    define membership inference the same way still agree (a definitional agreement, which the
    investigator files as a restatement)."""
    (hub, mia) = judge.judge(
        [
            (Side(QUALITIES), Side(HUB)),
            (
                Side(
                    "Membership inference attacks (MIAs) aim to determine whether specific "
                    "data was used to train a model."
                ),
                Side(
                    "Membership inference attacks (MIAs) attempt to predict whether a "
                    "particular datapoint is a member of a target model's training data."
                ),
            ),
        ]
    )
    assert hub.ab.entailment > 0.5  # the model alone would call it
    assert hub.kind == "unrelated" and "control premises" in hub.rationale
    assert mia.kind == "converges_with" and "control premises" not in mia.rationale
    assert mia.definitional and not hub.definitional
    assert control_readings(judge.model, [HUB])[HUB].entailment > 0.5
    # the judgement carries the controls it was taken with, so deciding again agrees with it
    assert hub.controls[1].entailment > 0.5
    again = decide(Side(QUALITIES), Side(HUB), hub.ab, hub.ba, judge.params, hub.controls)
    assert again.kind == hub.kind and again.convergence_score == hub.convergence_score


MIA_A = (
    "Membership inference attacks (MIAs) aim to determine whether specific data was used to "
    "train a model."
)
MIA_B = (
    "Membership inference attacks (MIAs) attempt to predict whether a particular datapoint is a "
    "member of a target model's training data."
)


def test_an_agreement_with_a_definition_is_a_restatement_not_corroboration(judge: Judge) -> None:
    """Six demo abstracts open by defining membership inference attacks; their pairs were 14 of
    the main job's 37 convergence calls (the report's first 13), each counted as an independent
    line of support. Agreeing on what a term means is no evidence for a finding: the judge
    still reads the agreement, names the definition, and the investigator files a restatement.
    A contradiction with a definition is kept (two papers defining a term differently)."""
    from investigators.base import CandidatePair, Independence
    from investigators.nli_judge import NLIJudgeInvestigator

    params = JudgeParams.default()
    agree = NLIScores(entailment=0.97, neutral=0.02, contradiction=0.01)
    j = decide(Side(MIA_A), Side(MIA_B), agree, agree, params)
    assert j.kind == "converges_with" and j.definitional
    assert (
        "definition: A defines a term (“Membership inference attacks (MIAs) aim to determine”)"
        in j.rationale
    )
    assert "definition: B defines a term" in j.rationale
    findings = (
        Side("Training on model-generated data makes models collapse within a few generations."),
        Side("Models trained recursively on their own outputs degrade within a few generations."),
    )
    plain = decide(*findings, agree, agree, params)
    assert plain.kind == "converges_with" and not plain.definitional
    assert "definition" not in plain.rationale
    conflict = decide(Side(MIA_A), Side(MIA_B), SURE, SURE, params)
    assert conflict.kind == "contradicts" and not conflict.definitional
    # the shipped model on the pair, through the investigator, between independent sources
    ind = Independence(independent=True, reason="test")
    (v,) = NLIJudgeInvestigator(judge).investigate(
        [CandidatePair(a=view("a", MIA_A), b=view("b", MIA_B), similarity=0.9, independence=ind)]
    )
    assert v.kind == "restates" and "defines a term" in v.rationale


def test_a_structural_contradiction_has_its_own_level() -> None:
    """The contradiction map is fitted on calls that rest on the model's reading; a minimal
    pair or incompatible values gets the share of such calls people read that were right
    (shrunk), 0.5 while none has been read, and says so."""
    text = "Linear probes detect deceptive behaviour in most transcripts we examined."
    minimal = (Side(text), Side(text.replace("detect", "do not detect")))
    high, low = (
        f"The monitor catches {n} of sabotage attempts in our coding tasks." for n in ("80%", "35%")
    )
    numbers = (Side(high, extract_numbers(high)), Side(low, extract_numbers(low)))
    modelled = (Side("Linear probes detect deception reliably."),
                Side("Linear probes fail to detect deception."))  # fmt: skip
    flat = JudgeParams(contradiction=(0.05, -3.34))
    unread = dataclasses.replace(flat, structural_contradiction=(0, 0))
    read = dataclasses.replace(flat, structural_contradiction=(3, 4))
    model = NLIModel()
    by = {name: Judge(model, p) for name, p in (("flat", flat), ("unread", unread), ("read", read))}
    for pair in (minimal, numbers):
        j = {name: judge.judge([pair])[0] for name, judge in by.items()}
        assert all(x.kind == "contradicts" for x in j.values())
        assert j["flat"].p_contradiction < 0.1  # on the map: no level of its own
        assert j["unread"].p_contradiction == pytest.approx(0.5, abs=1e-4)
        assert "none such has been read yet" in j["unread"].rationale
        assert j["read"].p_contradiction == pytest.approx(3.5 / 5, abs=1e-4)
        assert "3 of 4" in j["read"].rationale
    j = by["read"].judge([modelled])[0]
    assert j.kind == "contradicts" and j.p_contradiction < 0.1  # a cue, not structural
    # blocked (a question): not a contradiction call, so no level of its own
    asked = Side(high.replace("The monitor catches", "Does the monitor catch").replace(".", "?"))
    asked = Side(asked.text, extract_numbers(asked.text))
    j = by["read"].judge([(asked, numbers[1])])[0]
    assert j.kind == "unrelated" and "question" in j.rationale and "number:" in j.rationale
    assert "structural" not in j.rationale and j.p_contradiction < 0.1
    assert len({judge.version for judge in by.values()}) == 3


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [  # red-teamed: the first three were contradictions at 1.00 both ways
        ("The probe reached an AUROC of 0.91.", "The probe reached an AUROC of 91%.", True),
        ("Accuracy was 90%.", "Accuracy was 0.9.", True),
        ("Accuracy was 90 percent.", "Accuracy was 0.90.", True),
        ("Accuracy was 90%.", "Accuracy was 0.8.", False),
        ("The probe reached an AUROC of 0.91.", "The probe reached an AUROC of 0.92.", False),
        # review: a change, a difference or another scale is not a proportion
        ("Fine-tuning reduced the loss by 0.3.", "Fine-tuning reduced the loss by 30%.", False),
        ("The effect size was d = 0.5.", "The effect size was d = 50%.", False),
        ("Scores stayed within 0.3 standard deviations.", "Scores stayed within 30%.", False),
    ],
)
def test_a_value_as_a_percentage_and_as_a_fraction_is_the_same_statement(
    a: str, b: str, same: bool
) -> None:
    from investigators.nli.judge import same_statement

    assert same_statement(a, b) is same and same_statement(b, a) is same


def test_sentences_without_spaces_are_read_not_taken_for_single_words() -> None:
    """Red-teamed: "线性探针能检测欺骗。" against its negation was "two single words: nothing
    to compare" (a run of CJK characters is one \\w+ word)."""
    from investigators.nli.judge import Judge, Side
    from investigators.nli.model import NLIModel

    (j,) = Judge(NLIModel()).judge([(Side("线性探针能检测欺骗。"), Side("线性探针不能检测欺骗。"))])
    assert not any("nothing to compare" in e for e in j.evidence)
    assert any("non-English" in e for e in j.evidence)  # said, since the model reads English
    (w,) = Judge(NLIModel()).judge([(Side("探针"), Side("欺骗"))])  # two characters: two words
    assert not any("two single words" in e for e in w.evidence)


def test_a_negated_opposite_is_no_contradiction_whatever_the_model_reads() -> None:
    """Red-teamed: "Fine-tuning does not degrade accuracy." / "Fine-tuning improves accuracy."
    was a contradiction at 0.9 (the model reads the negation, not what it negates). The one
    implies the other; "does not improve" / "does not degrade" can both hold. A real flip
    beside it is still called."""
    params = JudgeParams.load()
    con = NLIScores(entailment=0.01, neutral=0.01, contradiction=0.98)
    for a, b in (
        ("Fine-tuning does not degrade accuracy.", "Fine-tuning improves accuracy."),
        ("Fine-tuning does not improve accuracy.", "Fine-tuning does not degrade accuracy."),
    ):
        j = decide(Side(a), Side(b), con, con, params)
        assert j.kind != "contradicts", j.rationale
        assert "same polarity" in j.rationale
    j = decide(
        Side("Fine-tuning does not degrade accuracy."),
        Side("Fine-tuning degrades accuracy."),
        con,
        con,
        params,
    )
    assert j.kind == "contradicts" and "same polarity" not in j.rationale


def test_levels_fitted_to_other_weights_are_refused(tmp_path: Path) -> None:
    """judge.json names the weights whose readings it was fitted to; after a new export
    without `consilience model fit-judge`, the judge would state probabilities from another
    model's readings (review, stop 63)."""
    from investigators.nli.model import WEIGHTS_SHA256

    shipped = JudgeParams.load(MODEL_DIR / "judge.json", model_sha256=WEIGHTS_SHA256)
    assert shipped.model_sha256 == WEIGHTS_SHA256
    raw = (MODEL_DIR / "judge.json").read_text()
    other = tmp_path / "judge.json"
    other.write_text(raw.replace(WEIGHTS_SHA256, "0" * 64))
    assert other.read_text() != raw
    with pytest.raises(ModelIntegrityError, match="fitted to the readings of other weights") as e:
        JudgeParams.load(other, model_sha256=WEIGHTS_SHA256)
    assert "fit-judge" in e.value.hint
    # not checked without the weights' pin, nor for a file that names no weights
    assert JudgeParams.load(other).contradiction == shipped.contradiction
    unnamed = tmp_path / "unnamed.json"
    unnamed.write_text(raw.replace(f'"model_sha256": "{WEIGHTS_SHA256}"', '"note": ""'))
    assert JudgeParams.load(unnamed, model_sha256=WEIGHTS_SHA256).model_sha256 is None
    # the judge checks the file beside its model, pinned or not (a candidate folder's weights
    # are the file's own), and names the command for that folder
    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    shutil.copy(other, model_dir / "judge.json")
    with pytest.raises(ModelIntegrityError):
        Judge(NLIModel(model_dir))
    with pytest.raises(ModelIntegrityError) as e:
        Judge(NLIModel(model_dir, expected_sha256=None))
    assert f"fit-judge --model-dir {model_dir} --unpinned" in e.value.hint
    assert Judge(NLIModel(MODEL_DIR, expected_sha256=None)).params == shipped


def test_a_stale_pin_is_the_models_error_not_the_levels(tmp_path: Path) -> None:
    """Between `fit-judge --unpinned` and pinning the new export, judge.json names the file's
    weights and the pin does not: the judge takes the levels, and the model refuses the file
    with its own message (review: the judge blamed the fit, whose hint then led nowhere)."""
    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    judge = Judge(NLIModel(model_dir, expected_sha256="0" * 64))
    with pytest.raises(ModelIntegrityError, match="does not match its pinned sha256"):
        judge.model.predict([("A claim.", "Another claim.")])


def test_the_weights_are_hashed_once_for_the_levels_and_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The judge checks judge.json against the weights' sha256 and the model checks its pin
    when it loads: one reading of the 23 MB file serves both (it was hashed twice, ~40 ms a
    process), and a file changed after that reading is read again, so a swap is still caught."""
    import investigators.nli.model as model_module

    model_dir = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model_dir)
    weights = model_dir / model_module.MODEL_FILE
    hashed: list[Path] = []
    real = model_module.file_sha256

    def counting(path: Path) -> str:
        hashed.append(Path(path))
        return real(path)

    monkeypatch.setattr(model_module, "file_sha256", counting)
    import investigators.nli.judge as judge_module

    monkeypatch.setattr(judge_module, "file_sha256", counting, raising=False)
    judge = Judge(NLIModel(model_dir))
    judge.model.predict([("The model scored 80%.", "The model scored 40%.")])
    assert hashed.count(weights) == 1
    # the same bytes under a new file state: read again, and still the pinned weights
    data = weights.read_bytes()
    weights.unlink()
    weights.write_bytes(data)
    assert judge.model.weights_sha256() == model_module.WEIGHTS_SHA256
    assert hashed.count(weights) == 2
    # other bytes: the next model built over the folder refuses them
    weights.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ModelIntegrityError, match="does not match its pinned sha256"):
        NLIModel(model_dir).predict([("A claim.", "Another claim.")])
    weights.unlink()
    assert judge.model.weights_sha256() is None
