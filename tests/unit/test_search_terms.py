"""Full-text queries stay within Lucene's 1,024-clause limit, however long the text."""

from __future__ import annotations

from queries.search import MAX_TERMS, escape_lucene


def test_long_queries_keep_their_first_words_up_to_the_limit() -> None:
    words = escape_lucene(" ".join(f"w{i}" for i in range(1100))).split()
    assert len(words) == MAX_TERMS and words[:2] == ["w0", "w1"]
    assert escape_lucene("probes AND monitors") == "probes monitors"  # operators dropped


def test_each_cjk_character_counts_as_a_term() -> None:
    kanji = escape_lucene("日本 " * 900).split()
    assert len(kanji) == MAX_TERMS // 2  # two terms a word
    one_word = escape_lucene("日" * 900)
    assert len(one_word) == MAX_TERMS  # a single word longer than that: its first characters
    assert escape_lucene("title:(") == "title\\:\\("  # still escaped


def test_words_joined_by_hyphens_or_slashes_count_each_part() -> None:
    """Review: "a-b-c-…" is one word to str.split and hundreds of terms to Lucene."""
    joined = escape_lucene("-".join(["ab"] * 2000))
    assert joined.count("ab") == MAX_TERMS and not joined.endswith("\\")
    mixed = escape_lucene("a日" * 600)
    assert mixed.count("a") + mixed.count("日") == MAX_TERMS


def test_each_emoji_or_other_symbol_counts_as_a_term() -> None:
    """Red-teamed: 1,100 emoji (one word to str.split, one term each to Lucene) failed the
    search with TooManyClauses."""
    one_word = escape_lucene("😀" * 1100)
    assert len(one_word) == MAX_TERMS
    spaced = escape_lucene(" ".join(["😀😀"] * 600)).split()
    assert len(spaced) == MAX_TERMS // 2
