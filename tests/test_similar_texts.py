"""reviewer.similar_texts finds exactly the pairs a comparison of every text with every other finds."""

from __future__ import annotations

import random

import pytest
from rapidfuzz import fuzz, process

from reviewer.similar_texts import min_overlap, similar_pairs

# Characters of ordinary reports, a few repeated often (as 的/工作/完成 are), so bigram frequencies
# are skewed the way the prefix order has to cope with.
COMMON = "的工作完成年度项目资金管理"
RARE = "农田水利灌溉渠道维修验收档案培训监测信息系统采购合同审计整改公示考核"


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = COMMON * 4 + RARE
    out = []
    for _ in range(40):
        base = "".join(rng.choice(alphabet) for _ in range(rng.randint(30, 140)))
        out.append(base)
        for _ in range(rng.randint(0, 4)):  # edited copies, some just inside 90, some just outside
            s = list(base)
            for _ in range(rng.randint(0, len(s) // 8)):
                i = rng.randrange(len(s))
                op = rng.random()
                if op < 0.4:
                    s[i] = rng.choice(alphabet)
                elif op < 0.7:
                    s.insert(i, rng.choice(alphabet))
                elif len(s) > 31:
                    del s[i]
            out.append("".join(s))
    return list(dict.fromkeys(out))


def _brute(texts: list[str], cutoff: float) -> dict[int, list[tuple[int, float]]]:
    found = {}
    for a, t in enumerate(texts):
        found[a] = sorted((b, s) for _, s, b in process.extract(t, texts, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None) if b != a)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_the_index_finds_the_same_pairs_as_all_pairs(seed: int):
    texts = _texts(seed)
    expected = _brute(texts, 90)
    assert sum(map(len, expected.values())) > 10  # the corpus has near-copies to find
    assert similar_pairs(texts, 90) == expected


def test_other_cutoffs_are_exact_too():
    texts = _texts(99)
    for cutoff in (80, 95):
        assert similar_pairs(texts, cutoff) == _brute(texts, cutoff)


def test_short_texts_without_a_bound_are_compared_with_everything():
    assert min_overlap(2, 90) <= 0 < min_overlap(30, 90)
    texts = ["率", "预算", "预算执行率", "预算执行率达", "绩效目标完成情况良好并且按期完成了"]
    assert similar_pairs(texts, 90) == _brute(texts, 90)


def test_few_pairs_are_compared(monkeypatch):
    """Unrelated texts are not scored against each other: the point of the index."""
    import reviewer.similar_texts as st

    calls = []
    real = st.fuzz.ratio
    monkeypatch.setattr(st.fuzz, "ratio", lambda a, b, **kw: calls.append(1) or real(a, b, **kw))
    rng = random.Random(5)
    hanzi = [chr(0x4E00 + k) for k in range(3000)]
    texts = ["".join(rng.choice(hanzi) for _ in range(60)) for _ in range(300)]
    similar_pairs(texts, 90)
    assert len(calls) < 300 * 299 / 2 / 10, len(calls)
