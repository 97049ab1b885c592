"""Search quality and latency on a generated 10,000-product catalog (in process, one SQLite file).

    .venv/bin/python bench/search.py [--products 10000] [--pairs 60]

Prints recall@10 per query kind (exact words, a built-in synonym of the product noun, a one-edit typo,
Chinese, a single noun that other products' descriptions mention too) with synonyms on and off, then query latency (p50/p95 of a first page of 10, a second page
through its cursor, and suggestions). The labels come from the generator: a query for "<material> <noun>"
is relevant to exactly the products generated with that material and noun in that language.
recall@10 = |top 10 ∩ relevant| / min(10, |relevant|), averaged over the queries of a kind.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import search, service  # noqa: E402
from catalog import store as catalog_store  # noqa: E402
from clock import now_iso  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stores import open_database  # noqa: E402

# (English noun, a built-in synonym of it, Chinese name); every pair is in catalog/search_text.py's list.
NOUNS = [
    ("mug", "cup", "马克杯"), ("kettle", "teakettle", "水壶"), ("headphones", "headset", "耳机"),
    ("earbuds", "earphones", "耳塞"), ("speaker", "loudspeaker", "音箱"), ("backpack", "rucksack", "背包"),
    ("bottle", "flask", "水瓶"), ("scarf", "muffler", "围巾"), ("shirt", "tee", "衬衫"), ("cap", "hat", "帽子"),
    ("jar", "canister", "罐子"), ("cookbook", "recipes", "食谱"), ("atlas", "maps", "地图"),
    ("puzzle", "jigsaw", "拼图"), ("headlamp", "headtorch", "头灯"),
]
MATERIALS = [
    ("bamboo", "竹"), ("copper", "铜制"), ("iron", "铸铁"), ("glass", "玻璃"), ("ceramic", "陶瓷"), ("oak", "橡木"),
    ("linen", "亚麻"), ("wool", "羊毛"), ("leather", "皮革"), ("steel", "不锈钢"), ("canvas", "帆布"),
    ("silk", "丝绸"), ("walnut", "胡桃木"), ("marble", "大理石"), ("felt", "毛毡"), ("cotton", "棉"),
    ("denim", "牛仔"), ("brass", "黄铜"), ("cork", "软木"), ("enamel", "搪瓷"),
]
ADJECTIVES = ["classic", "compact", "deluxe", "everyday", "field", "heritage", "large", "light", "modern",
              "nordic", "pocket", "rugged", "small", "studio", "travel", "urban", "vintage", "weekend"]
FILLER = ["made", "to", "last", "with", "care", "for", "daily", "use", "and", "gifts", "a", "favourite",
          "in", "every", "home", "easy", "clean", "store"]
ZH_FILLER = ["经典", "耐用", "日常", "礼物", "家居", "轻便", "简约", "手工", "精选"]
ZH_SHARE = 0.2


def generate(n: int, rng: random.Random) -> tuple[list[dict], dict[tuple[str, str, str], set[str]]]:
    """Products and their labels: (language, material, noun) -> the ids generated with them."""
    rows, labels = [], {}
    for i in range(n):
        noun, _, noun_zh = NOUNS[i % len(NOUNS)]
        material, material_zh = MATERIALS[(i // len(NOUNS)) % len(MATERIALS)]
        other = rng.choice(NOUNS)[0]  # a description mentioning another product: the noise ranking must beat
        if rng.random() < ZH_SHARE:
            lang, name = "zh", f"{rng.choice(ZH_FILLER)}{material_zh}{noun_zh}"
            description = "".join(rng.sample(ZH_FILLER, 3)) + f"，适合搭配{rng.choice(NOUNS)[2]}"
        else:
            lang, name = "en", f"{rng.choice(ADJECTIVES).title()} {material.title()} {noun.title()}"
            description = " ".join(rng.sample(FILLER, 6)) + f"; pairs well with a {other}"
        sku = f"P-{i:05d}"
        rows.append({"id": sku, "name": name, "description": description, "price": 500 + i % 9000,
                     "currency": "CNY", "category": "bench", "stock": 10})
        labels.setdefault((lang, material, noun), set()).add(sku)
    return rows, labels


def typo(word: str) -> str:
    """The word with two middle letters swapped (one transposition)."""
    i = len(word) // 2
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def labelled_queries(labels, pairs: int, rng: random.Random) -> dict[str, list[tuple[str, set[str]]]]:
    """Queries by kind, each with its relevant ids."""
    kinds: dict[str, list[tuple[str, set[str]]]] = {"exact": [], "synonym": [], "typo": [], "chinese": [], "noun": []}
    material_zh = dict(MATERIALS)
    chosen = rng.sample([(m, n) for m, _ in MATERIALS for n in NOUNS], pairs)
    for material, (noun, synonym, noun_zh) in chosen:
        en = labels.get(("en", material, noun), set())
        zh = labels.get(("zh", material, noun), set())
        kinds["exact"].append((f"{material} {noun}", en))
        kinds["synonym"].append((f"{material} {synonym}", en))
        if len(noun) >= 4:  # shorter words get no typo correction (catalog/search_text.py, TYPO_MIN_CHARS)
            kinds["typo"].append((f"{material} {typo(noun)}", en))
        if zh:
            kinds["chinese"].append((f"{material_zh[material]}{noun_zh}", zh))
    # One noun: a description elsewhere mentions it too ("pairs well with a kettle"), so only ranking names
    # above descriptions puts the products that are one in the top 10.
    for noun, _, _ in NOUNS:
        kinds["noun"].append((noun, set().union(*(ids for (lang, _, n), ids in labels.items() if n == noun and lang == "en"))))
    return kinds


def recall_at_10(found: list[str], relevant: set[str]) -> float:
    return len(set(found[:10]) & relevant) / min(10, len(relevant)) if relevant else 1.0


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(16)
    rows, labels = generate(args.products, rng)
    queries = labelled_queries(labels, args.pairs, rng)
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(Settings(data_dir=Path(tmp), admin_token="x" * 32))
        started = time.perf_counter()
        with database.write() as db:
            for row in rows:
                catalog_store.upsert_product(db, row, [], now_iso())
        print(f"catalog: {len(rows)} products indexed in {time.perf_counter() - started:.1f} s")
        with database.snapshot() as db:
            print(f"{'kind':<9} {'queries':>7} {'recall@10 synonyms on':>22} {'off':>6}")
            first_page: list[float] = []
            for kind, cases in queries.items():
                recalls = {True: [], False: []}
                for q, relevant in cases:
                    for synonyms in (True, False):
                        t0 = time.perf_counter()
                        page = service.product_page(db, cursor=None, limit=10, q=q, category=None, synonyms=synonyms)
                        if synonyms:
                            first_page.append(time.perf_counter() - t0)
                        recalls[synonyms].append(recall_at_10([i.id for i in page.items], relevant))
                on, off = statistics.mean(recalls[True]), statistics.mean(recalls[False])
                print(f"{kind:<9} {len(cases):>7} {on:>22.3f} {off:>6.3f}")
            second_page, suggest = [], []
            for q, _ in queries["exact"]:
                noun = q.split()[-1]  # one word matches a fifteenth of the catalog: there is a second page
                cursor = service.product_page(db, cursor=None, limit=10, q=noun, category=None).next_cursor
                if cursor:
                    t0 = time.perf_counter()
                    service.product_page(db, cursor=cursor, limit=10, q=noun, category=None)
                    second_page.append(time.perf_counter() - t0)
                for typed in (q[:1], q[:3], q[: len(q) - 2]):
                    t0 = time.perf_counter()
                    search.suggest(db, typed, 6)
                    suggest.append(time.perf_counter() - t0)
            print(f"first page of 10 ({len(first_page)} queries): {ms(first_page)}")
            print(f"second page via cursor ({len(second_page)}): {ms(second_page)}")
            print(f"suggest, limit 6 ({len(suggest)} prefixes of 1, 3 and all-but-2 chars): {ms(suggest)}")
        database.close()


if __name__ == "__main__":
    main()
