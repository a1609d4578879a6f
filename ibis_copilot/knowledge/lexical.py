"""BM25 over chunk text, with a tokenizer that understands Python identifiers and
reduces English words to their stems (``readings`` and ``reading`` meet)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
STOPWORDS = frozenset(
    (  # noqa: SIM905 - a word list reads best as text
        "a an and are as at be by can do does for from how i if in into is it its me my "
        "of on or so that the their then there these this to was we what when where which "
        "while who why will with you your"
    ).split()
)


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English stem of a lower-case word (``averages`` → ``averag``)."""
    return str(_STEMMER.stemWord(word))


def tokenize(text: str) -> list[str]:
    """Stems of the lower-case words; ``pivot_longer`` also yields ``pivot`` and ``longer``.

    Stemming was decided on the development questions (2026-12-01): users write
    "readings", "padded", "averages" where the docs say "reading", "pad", "average".
    """
    tokens = []
    for word in WORD.findall(text):
        lower = word.lower()
        if lower in STOPWORDS:
            continue
        tokens.append(stem(lower))
        if "_" in lower.strip("_"):
            tokens.extend(stem(part) for part in lower.split("_") if part and part not in STOPWORDS)
    return tokens


class BM25:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, documents: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for index, document in enumerate(documents):
            counts = Counter(tokenize(document))
            self.lengths.append(sum(counts.values()))
            for term, count in counts.items():
                self.postings[term].append((index, count))
        self.average = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        total = len(self.lengths)
        self.idf = {
            term: math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            for term, docs in self.postings.items()
        }

    def knows(self, word: str) -> bool:
        """Whether some document holds ``word`` (compared by stem), or it is a stopword."""
        lower = word.lower()
        return lower in STOPWORDS or stem(lower) in self.postings

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """Indices of the best ``k`` documents with their scores (only scores > 0), the
        same in every process: terms are summed in the query's order (a set's order
        changes with Python's hash seed, and with it the last bits of tied scores), and
        ties go to the earlier document."""
        scores: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(tokenize(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, count in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.average)
                scores[index] += idf * count * (self.k1 + 1) / (count + norm)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
