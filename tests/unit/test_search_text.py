"""Search text without SQL: CJK bigrams, query words, FTS terms, one-edit typo candidates, synonym words."""

import pytest

from catalog.search import clean_groups
from catalog.errors import BadSynonyms
from catalog.search_text import MAX_QUERY_WORDS, Word, correctable, fts_term, index_text, query_words, synonym_word_ok, within_one_edit


@pytest.mark.parametrize(
    ("text", "indexed"),
    [
        ("Enamel Kettle", "Enamel Kettle"),
        ("绿茶", " 绿茶 绿 茶 "),
        ("有机绿茶", " 有机 机绿 绿茶 有 机 绿 茶 "),
        ("iPhone手机壳", "iPhone 手机 机壳 手 机 壳 "),
        ("茶", " 茶 "),
    ],
)
def test_cjk_runs_become_bigrams_then_characters(text, indexed):
    assert indexed == index_text(text)


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("Enamel  KETTLE", [Word("enamel", False), Word("kettle", False)]),
        ('"wooden*(:', [Word("wooden", False)]),
        ("iPhone手机壳", [Word("iphone", False), Word("手机壳", True)]),
        ("Café", [Word("cafe", False)]),
        ("!!! ***", []),
    ],
)
def test_query_words(q, words):
    assert words == query_words(q)


def test_query_words_are_bounded():
    assert MAX_QUERY_WORDS == len(query_words("word " * 50))
    assert 40 == len(query_words("x" * 300)[0].text)


@pytest.mark.parametrize(
    ("word", "prefix", "term"),
    [
        ("kettle", False, '"kettle"'),
        ("kettle", True, '"kettle"*'),
        ("绿茶", True, '"绿茶"'),
        ("手机壳", False, '"手机 机壳"'),
        ("茶", False, '"茶"'),
    ],
)
def test_fts_terms(word, prefix, term):
    assert term == fts_term(word, prefix=prefix)


@pytest.mark.parametrize(
    ("typed", "term", "near"),
    [
        ("kettel", "kettle", True),  # transposition
        ("ketle", "kettle", True),  # deletion
        ("kkettle", "kettle", True),  # insertion
        ("kettlr", "kettle", True),  # replacement
        ("kettle", "kettle", False),  # the word itself is no correction
        ("ktetel", "kettle", False),  # two edits
        ("kettle", "kettles!", False),
        ("abcd", "badc", False),  # two transpositions
    ],
)
def test_within_one_edit(typed, term, near):
    assert near == within_one_edit(typed, term)
    assert near == within_one_edit(term, typed)


@pytest.mark.parametrize(("word", "ok"), [("kettle", True), ("mug", False), ("绿茶茶包", False), ("tea-pot", False),
                                          ("naïve", False), ("ab12", True)])
def test_only_longer_ascii_words_are_corrected(word, ok):
    assert ok == correctable(word)


@pytest.mark.parametrize(("term", "ok"), [("sofa", True), ("沙发", True), ("Couch", True), ("two words", False),
                                          ("a-b", False), ("", False), ("x" * 41, False)])
def test_a_synonym_is_one_word(term, ok):
    assert ok == synonym_word_ok(term)


def test_groups_are_folded_and_deduplicated():
    assert [["couch", "sofa"]] == clean_groups([["Sofa", "couch", "SOFA"]])


@pytest.mark.parametrize(("groups", "word"), [([["sofa", "Sofa"]], "two different"), ([["sofa", "big couch"]], "single word")])
def test_bad_groups_are_refused(groups, word):
    with pytest.raises(BadSynonyms, match=word):
        clean_groups(groups)
