"""Every pair of texts whose rapidfuzz ratio reaches a cutoff, without comparing all pairs.

Character bigrams with a prefix filter (the AllPairs / PPJoin idea), chosen over MinHash because it
is exact: MinHash estimates Jaccard similarity of shingle sets, which is not the Indel ratio the
findings quote, and it misses some pairs by design; the bigram bound below never misses one.

Why it is exact. fuzz.ratio(a, b) ≥ c (as a fraction) means the Indel distance d ≤ (1 − c)(|a| + |b|).
The Levenshtein distance k ≤ d, and strings k edits apart share at least max(|a|, |b|) − q + 1 − k·q
q-grams, counted as a multiset (Ukkonen's q-gram lemma). Over every |b| the ratio allows, that bound
is smallest at |b| = |a|:  t(a) = |a|·(1 − 2q(1 − c)) − q + 1  (0.6·|a| − 1 for q = 2, c = 0.9).
Write each text as its bigram occurrences ("工作"#1, "工作"#2 …) so the multiset overlap is a set
overlap, order the tokens rarest first (one global order); two sets that share ≥ t tokens share one
among each one's first |A| − t + 1 tokens. Only texts whose prefixes meet are compared with
fuzz.ratio, which decides. A text too short for a positive bound is compared with every text.
"""

from __future__ import annotations

import math
from collections import Counter

from rapidfuzz import fuzz

Q = 2


def _tokens(text: str) -> list[tuple[str, int]]:
    seen: Counter[str] = Counter()
    out = []
    for i in range(len(text) - Q + 1):
        g = text[i : i + Q]
        seen[g] += 1
        out.append((g, seen[g]))
    return out


def min_overlap(length: int, cutoff: float) -> int:
    """The fewest bigram occurrences a text of `length` shares with any text within `cutoff`
    (percent); ≤ 0 when there is no useful bound. Rounded down with a margin (never too high)."""
    c = cutoff / 100
    return math.floor(length * (1 - 2 * Q * (1 - c)) - Q + 1 - 1e-6)


def similar_pairs(texts: list[str], cutoff: float) -> dict[int, list[tuple[int, float]]]:
    """Position → [(other position, ratio)] for every other text with fuzz.ratio ≥ cutoff, in
    position order. `texts` should be distinct (identical ones score 100 and are found too)."""
    tokens = [_tokens(t) for t in texts]
    df: Counter = Counter(tok for toks in tokens for tok in set(toks))
    index: dict[tuple[str, int], list[int]] = {}
    unbounded: list[int] = []
    prefixes: list[list[tuple[str, int]]] = []
    for k, toks in enumerate(tokens):
        t = min_overlap(len(texts[k]), cutoff)
        if t <= 0 or not toks:
            unbounded.append(k)
            prefixes.append([])
            continue
        ordered = sorted(toks, key=lambda tok: (df[tok], tok))
        prefix = ordered[: len(ordered) - t + 1]
        prefixes.append(prefix)
        for tok in prefix:
            index.setdefault(tok, []).append(k)
    lo = cutoff / (200 - cutoff)  # the shortest partner a ratio of `cutoff` allows, as a share
    found: dict[int, list[tuple[int, float]]] = {k: [] for k in range(len(texts))}
    every = set(range(len(texts)))
    for a in range(len(texts)):
        if a in unbounded:
            candidates = every
        else:
            candidates = {b for tok in prefixes[a] for b in index[tok]}
            candidates.update(unbounded)
        la = len(texts[a])
        for b in candidates:
            if b <= a:
                continue
            lb = len(texts[b])
            if min(la, lb) < lo * max(la, lb) - 1e-9:
                continue
            score = fuzz.ratio(texts[a], texts[b], score_cutoff=cutoff)
            if score >= cutoff:
                found[a].append((b, score))
                found[b].append((a, score))
    for k in found:
        found[k].sort()
    return found
