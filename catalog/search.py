"""Ranked search: shopper text to an FTS expression with synonyms and typo corrections, suggestions, synonym lists."""

from __future__ import annotations

from typing import Any

from . import store
from .errors import BadQuery, BadSynonyms
from .models import SuggestedProduct, Suggestions, SynonymList
from .search_text import (
    BUILTIN_SYNONYMS,
    MAX_TYPO_TERMS,
    TYPO_SCAN_TERMS,
    Word,
    correctable,
    fold,
    fts_term,
    query_words,
    synonym_word_ok,
    within_one_edit,
)


def _builtin_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for group in BUILTIN_SYNONYMS:
        for term in group:
            index.setdefault(term, set()).update(t for t in group if t != term)
    return {term: frozenset(others) for term, others in index.items()}


_BUILTIN = _builtin_index()


def words_of(q: str) -> list[Word]:
    """The words of a query, or BadQuery when there are none."""
    words = query_words(q)
    if not words:
        raise BadQuery("q has no words to search for")
    return words


def _synonyms(db: Any, words: list[Word]) -> dict[str, set[str]]:
    found = store.operator_synonyms(db, [w.text for w in words])
    for w in words:
        found.setdefault(w.text, set()).update(_BUILTIN.get(w.text, ()))
    return found


def _corrections(db: Any, word: Word, *, last: bool) -> list[str]:
    """Indexed terms one edit away from a word the index does not hold (nor, for the last word, as a prefix).

    Only terms with the same first letter are read: a range scan of the vocabulary instead of a lookup per
    possible edit (which costs ~0.25 ms each in fts5vocab), at the price of never correcting the first letter.
    """
    if word.cjk or not correctable(word.text) or store.known_terms(db, [word.text]):
        return []
    if last and store.terms_with_prefix(db, word.text, 1):
        return []
    scanned = store.terms_by_frequency(db, word.text[0], len(word.text) - 1, len(word.text) + 1, TYPO_SCAN_TERMS)
    return [t for t in scanned if within_one_edit(word.text, t)][:MAX_TYPO_TERMS]


def match_expression(db: Any, q: str, *, synonyms: bool = True, typos: bool = True) -> str:
    """An FTS5 expression: every word must match (as itself, a synonym or a one-edit correction); the last
    word also as a prefix (search-as-you-type)."""
    words = words_of(q)
    related = _synonyms(db, words) if synonyms else {}
    clauses = []
    for i, word in enumerate(words):
        last = i == len(words) - 1
        alternatives = [fts_term(word.text, prefix=last and not word.cjk)]
        alternatives += [fts_term(s) for s in sorted(related.get(word.text, ()))]
        if typos:
            alternatives += [fts_term(t) for t in _corrections(db, word, last=last)]
        clauses.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(clauses)


def suggest(db: Any, q: str, limit: int) -> Suggestions:
    """Completions of the last word typed (most common terms first) and the best ``limit`` matching products
    (none for a lone Latin letter)."""
    words = words_of(q)
    head = " ".join(w.text for w in words[:-1])
    last = words[-1]
    completions = store.terms_with_prefix(db, last.text, limit)
    terms = [f"{head} {t}" if head else t for t in completions]
    if len(words) == 1 and len(last.text) == 1 and not last.cjk:
        return Suggestions(terms=terms, products=[])  # one letter prefixes most of the catalog: ranking it is waste
    rows = store.ranked_matches(
        db, match=match_expression(db, q), exact=match_expression(db, q, synonyms=False, typos=False),
        after=None, limit=limit, category=None,
    )
    return Suggestions(terms=terms, products=[SuggestedProduct(id=r["id"], name=r["name"]) for r in rows])


def synonym_list(db: Any) -> SynonymList:
    """The built-in groups and the operators' groups."""
    return SynonymList(builtin=[list(g) for g in BUILTIN_SYNONYMS], groups=store.synonym_groups(db))


def clean_groups(groups: list[list[str]]) -> list[list[str]]:
    """Groups folded as the index folds words and deduplicated; BadSynonyms for a term that is not one word."""
    cleaned = []
    for number, group in enumerate(groups, start=1):
        bad = [t for t in group if not synonym_word_ok(t)]
        if bad:
            raise BadSynonyms(f"group {number}: {bad[0]!r} is not a single word")
        terms = sorted({fold(t) for t in group})
        if len(terms) < 2:
            raise BadSynonyms(f"group {number} needs at least two different words")
        cleaned.append(terms)
    return cleaned
