"""Search text without SQL: CJK segmentation into bigrams, query words, one-edit typo candidates, built-in synonyms.

FTS5's unicode61 tokenizer keeps a run of Han characters as one token, so "绿茶" inside "有机绿茶茶包" would
never match. Indexed text therefore replaces every CJK run by its character bigrams (in order, so a query's
bigrams match as a phrase) followed by its single characters (so a one-character query matches too).
"""

from __future__ import annotations

import re
import unicodedata

import msgspec

# Han (with extension A and compatibility ideographs), kana and hangul: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(f"[{_CJK}]+|[^\\W{_CJK}]+", re.UNICODE)
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

MAX_QUERY_WORDS = 12
MAX_WORD_CHARS = 40
TYPO_MIN_CHARS = 4  # shorter words have too many one-edit neighbours for a correction to mean anything
MAX_TYPO_TERMS = 6

# Single words that mean the same to a shopper; two-way. Operators add their own through the admin route.
BUILTIN_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("mug", "cup", "杯子", "马克杯"),
    ("kettle", "teakettle", "水壶"),
    ("headphones", "headset", "耳机"),
    ("earbuds", "earphones", "耳塞"),
    ("speaker", "loudspeaker", "音箱"),
    ("backpack", "rucksack", "knapsack", "背包"),
    ("bottle", "flask", "瓶"),
    ("scarf", "muffler", "围巾"),
    ("shirt", "tee", "衬衫"),
    ("cap", "hat", "帽子"),
    ("tote", "bag", "包"),
    ("jar", "canister", "罐"),
    ("cookbook", "recipes", "食谱"),
    ("atlas", "maps", "地图"),
    ("puzzle", "jigsaw", "拼图"),
    ("tea", "茶"),
    ("coffee", "咖啡"),
    ("headlamp", "headtorch", "头灯"),
    ("radio", "收音机"),
)


class Word(msgspec.Struct, frozen=True):
    """One query word: its folded text and whether it is CJK (matched as a bigram phrase, never as a prefix)."""

    text: str
    cjk: bool


def fold(text: str) -> str:
    """Lower case without diacritics, as unicode61 remove_diacritics folds indexed text."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _segment(run: str) -> str:
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    return " " + " ".join(bigrams + list(run)) + " "


def index_text(text: str) -> str:
    """Text as it goes into the full-text index: CJK runs become bigrams then single characters."""
    return _CJK_RUN.sub(lambda m: _segment(m.group()), text)


def query_words(q: str) -> list[Word]:
    """The words of shopper text (FTS syntax reduced to words, CJK split from Latin), at most MAX_QUERY_WORDS."""
    words = []
    for match in _WORD.finditer(fold(q)):
        text = match.group()[:MAX_WORD_CHARS]
        words.append(Word(text, bool(_CJK_RUN.fullmatch(text))))
    return words[:MAX_QUERY_WORDS]


def fts_term(word: str, *, prefix: bool = False) -> str:
    """One FTS5 phrase for a word: CJK as its bigram phrase, else the quoted word (``prefix`` adds ``*``)."""
    if _CJK_RUN.fullmatch(word):
        tokens = [word[i : i + 2] for i in range(len(word) - 1)] or [word]
        return '"' + " ".join(tokens) + '"'
    return '"' + word.replace('"', '""') + '"' + ("*" if prefix else "")


def typo_candidates(word: str) -> set[str]:
    """Every string one edit (delete, transpose, replace, insert) from an ASCII word of TYPO_MIN_CHARS or more."""
    if len(word) < TYPO_MIN_CHARS or not word.isascii() or not word.isalnum():
        return set()
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | transposes | replaces | inserts) - {word}


def synonym_word_ok(term: str) -> bool:
    """A synonym is one word as the search sees words (so it can be matched at all)."""
    words = query_words(term)
    return len(words) == 1 and words[0].text == fold(term) and len(term) <= MAX_WORD_CHARS
