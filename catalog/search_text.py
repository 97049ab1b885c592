"""Search text without SQL: CJK segmentation into bigrams, query words, one-edit distance, built-in synonyms.

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

MAX_QUERY_WORDS = 12
MAX_WORD_CHARS = 40
TYPO_MIN_CHARS = 4  # shorter words have too many one-edit neighbours for a correction to mean anything
TYPO_SCAN_TERMS = 2000  # vocabulary terms read per word looked at for corrections (bounds the work per query)
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
    # The demo shop's goods in the words a Chinese shopper types (its names are English). A Chinese word in
    # several groups widens only itself: 书 finds hardbacks and paperbacks, "hardback" still finds only hardbacks.
    ("espresso", "浓缩咖啡", "意式咖啡"),
    ("beans", "咖啡豆"),
    ("capsules", "胶囊"),
    ("saucer", "碟子", "杯碟"),
    ("spoon", "spoons", "teaspoons", "勺子"),
    ("matcha", "抹茶"),
    ("cat", "cats", "猫", "猫咪"),
    ("kitten", "小猫", "猫"),
    ("food", "猫粮"),
    ("toy", "玩具"),
    ("astronaut", "宇航员", "航天员"),
    ("shuttle", "航天飞机"),
    ("helmet", "头盔"),
    ("jumpsuit", "连体服"),
    ("overalls", "连体服"),
    ("costume", "服装"),
    ("patch", "徽章", "臂章"),
    ("poster", "海报"),
    ("print", "装饰画"),
    ("canvas", "帆布画"),
    ("hardback", "精装", "书", "图书"),
    ("paperback", "平装", "书", "图书"),
    ("edition", "书", "图书"),
    ("handbook", "手册", "指南"),
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


def correctable(word: str) -> bool:
    """Whether a word gets typo corrections: ASCII letters and digits, TYPO_MIN_CHARS or more."""
    return len(word) >= TYPO_MIN_CHARS and word.isascii() and word.isalnum()


def within_one_edit(a: str, b: str) -> bool:
    """True when b is a one delete, insert, replace or adjacent transposition away from a (and not a itself)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def synonym_word_ok(term: str) -> bool:
    """A synonym is one word as the search sees words (so it can be matched at all)."""
    words = query_words(term)
    return len(words) == 1 and words[0].text == fold(term) and len(term) <= MAX_WORD_CHARS
