"""Hybrid retrieval: dense (Chroma, over each chunk's text and over its gist) + lexical
(BM25), their normalised scores added, with API names in the query pulled to the top and
one result per page."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from typing import Any

from ibis_copilot.errors import BadRequestError, UnavailableError
from ibis_copilot.knowledge.chunks import Chunk
from ibis_copilot.knowledge.embeddings import Embedder
from ibis_copilot.knowledge.error_queries import ErrorQuery, read_error_query
from ibis_copilot.knowledge.lexical import BM25
from ibis_copilot.knowledge.pandas_names import ibis_names_for, shape_names
from ibis_copilot.knowledge.reranker import CANDIDATES as RERANK_CANDIDATES
from ibis_copilot.knowledge.reranker import Reranker
from ibis_copilot.knowledge.store import KnowledgeStore

MODES = ("hybrid", "dense", "lexical")
MAX_QUERY_CHARS = 2000
MAX_K = 50
#: How many candidates each ranking (dense, gist, BM25) gives the fusion. Each ranking's
#: scores are scaled over its candidates, so a deeper list also lets a section that one
#: ranking puts 60th or 150th add some evidence rather than none. Decided on development
#: (1,582 questions, 2026-12-03): 50 / 100 / 200 / 400 gave R@5 0.911 / 0.919 / 0.922 /
#: 0.925, MRR@10 0.792 / 0.793 / 0.793 / 0.792, R@1 0.701 / 0.700 / 0.699 / 0.693; at 200
#: mined pasted errors R@5 0.783 → 0.794, MRR@10 0.694 → 0.689; search time unchanged
#: within the machine's noise.
CANDIDATES = 200
#: How much the dense ranking counts against BM25's in the fusion. Decided on the
#: development set (75 questions, 2026-11-30): 0.7 over 1.0 raised R@5 0.893 → 0.920 and
#: MRR@10 0.785 → 0.798, no kind worse; BM25 is the stronger half for backend questions.
DENSE_WEIGHT = 0.7
#: How much the ranking by gist (``gist.py``) counts. Decided on the development set
#: (233 questions, 2026-12-01): with stemming and one result per page, 0.7 gave
#: R@5 0.867 → 0.871, MRR@10 0.710 → 0.724; 0.5 and 1.0 did less.
GIST_WEIGHT = 0.7
# Both weights re-tried when scores replaced ranks in the fusion (development,
# 2026-12-02): dense and gist 0.5 or 0.7 and BM25 1.0 within 0.002 MRR@10; dense or gist
# 1.0 or BM25 1.5 lower (0.797 to 0.811 against 0.815).
#: Ranking prior by page kind: reference and how-to beat old blog posts. Halved towards
#: 1 on 2026-12-01 (233 development questions, with gists and stems): MRR@10 0.722 →
#: 0.739, R@1 0.614 → 0.648, one question out of the top five.
KIND_WEIGHT = {
    "reference": 1.0,
    "how-to": 1.0,
    "tutorial": 0.975,
    "concept": 0.975,
    "backend": 0.95,
    "source": 0.925,
    "page": 0.95,
    "contributing": 0.9,
    "blog": 0.875,
}
OTHER_KIND_WEIGHT = 0.95
#: What a named backend's support data and docs page gain: a question that names MySQL is
#: about MySQL. Added (a share of the 2.4 the three rankings give their best match
#: together) since the fusion adds scores. Development, 886 questions with the six retired
#: held-out sets (2026-12-02): MRR@10 0.772 / 0.771 / 0.768 / 0.762 and R@5 0.883 /
#: 0.885 / 0.884 / 0.883 at 0.75 / 1.0 / 1.25 / 1.5 (1.5 had been chosen on the first
#: 373, where it put MySQL's support data second for "can I compute a median on mysql";
#: at 1.0 MySQL's page is second and its support data fourth); above 1.0, questions that
#: name a backend but ask for an API object or a how-to got the backend's page first.
NAMED_BACKEND_BONUS = 1.0
#: Words that say which kind of value a question is about, and the module of
#: ``ibis.expr.types`` whose classes hold its methods: "each row holds a list of teams"
#: is answered by an array method, "a map column" by a map method.
VALUE_TYPE_WORDS = {
    "arrays": re.compile(r"\b(?:lists?|arrays?|elements?)\b"),
    "maps": re.compile(r"\b(?:maps?|dict|dictionary|key-value)\b"),
    "json": re.compile(r"\bjson\b"),
    "structs": re.compile(r"\bstructs?\b"),
    "strings": re.compile(r"\b(?:text|strings?|characters?|substrings?)\b"),
    "temporal": re.compile(r"\b(?:durations?|intervals?)\b"),
}
#: How much more the named kind's methods count (a score times 1 + this). Decided on
#: development (973 questions, 2026-12-02): R@5 0.883 → 0.892, MRR@10 0.770 → 0.776
#: (0.6 and 1.0 within 0.001; the first 373 and the 600 retired held-out questions both
#: gain).
NAMED_TYPE_BONUS = 0.8
#: Where a method is a twin of the expression method of the same name: the backends'
#: base classes (``BaseBackend.to_pandas(expr)`` beside ``Table.to_pandas()``) and a
#: grouped table's column proxies (``GroupedNumbers.sum`` beside ``NumericColumn.sum``).
TWIN_HOMES = (
    "api:ibis.backends.BaseBackend.",
    "api:ibis.backends.sql.SQLBackend.",
    "api:ibis.expr.types.groupby.GroupedArray.",
    "api:ibis.expr.types.groupby.GroupedNumbers.",
)
#: How much such a twin counts when its expression method is a candidate too: a question
#: asks for what the user's expression does. Decided on development (373 questions,
#: 2026-12-02): MRR@10 0.786 → 0.793, R@5 0.906 → 0.909 (0.6 and 0.9 within 0.001); with
#: scores added in the fusion, 0.812 → 0.816.
TWIN_WEIGHT = 0.8
#: How far apart named objects are set, as a share of the best score, the first named
#: highest: one step is about what separates two neighbouring candidates near the top.
#: 0.01 when ranks were added; scores spread wider (development MRR@10 0.816 at 0.01,
#: 0.815 at 0.03, 0.817 at 0.1), and at 0.01 the evidence for ``ArrayValue.contains``
#: outweighed a pasted error's reading of ``StringContains`` as ``StringValue.contains``.
PIN_STEP = 0.03
#: Code in a question: `quoted`, dotted.names, snake_case, SQL's calls of functions named
#: in several words (``STRING_AGG(``, ``FIRST_VALUE(``; one-word ones, ``COUNT(`` or
#: ``AVG(``, are every SQL question's vocabulary: reading them as code cost development
#: MRR@10 0.708 → 0.700) and CamelCase (two capitals: a sentence's first word, "Count rows
#: per day", or "None" is not code; reading them as code pinned `count` and
#: `selectors.none`: dev MRR@10 0.709 with capitalised questions, 0.757 now with or
#: without).
CODE_NAME = re.compile(
    r"`([^`]+)`|([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[a-z]\w*_\w+"
    r"|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?=\s?\()|[A-Z][a-z0-9]+[A-Z]\w*)"
)

#: A dotted name inside a code span: ``df.groupby('k').x.shift(1)`` holds ``df.groupby``
#: and ``x.shift``.
DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


#: The product's own name with its preposition ("... in ibis?"): every page is about Ibis,
#: so the word only pulls a question towards the overview pages. Appending " in ibis?" to
#: every development question cost MRR@10 0.757 → 0.692; without the word, 0.768.
PRODUCT_NAME = re.compile(
    r"(?i)\b(?:(?:in|with|using|via|through|for|from)\s+)?(?<![.\w])ibis(?![.\w])(?:'s)?"
)


#: A word as the corpus filter reads it: letters first (``rented_at``, ``2024`` is kept).
WORD = re.compile(r"\b[A-Za-z]\w*")


def in_corpus_words(text: str, lexical: BM25) -> str:
    """``text`` without the words no indexed document uses: a question's domain nouns
    ("the canoe rental's overdue check") pull its embedding towards pages about
    something else, and BM25 ignores them anyway. Decided on development (1,582
    questions, 2026-12-03): R@1 0.693 → 0.701, MRR@10 0.788 → 0.791, R@5 0.911 → 0.910
    (the 174 questions of the two latest retired held-out sets 0.874 / 0.796 → 0.891 /
    0.799; mined pasted errors unchanged); keeping only words in three documents or more
    did worse (0.906 / 0.783), and averaging the filtered and the whole question's vectors
    did less (0.913 / 0.789)."""
    kept = " ".join(WORD.sub(lambda m: m[0] if lexical.knows(m[0]) else "", text).split())
    return kept or text


def without_product_name(query: str) -> str:
    """The query without the word "ibis" (``ibis.desc`` and ``IbisError`` stay)."""
    stripped = " ".join(PRODUCT_NAME.sub(" ", query).split())
    return stripped or query


class InvalidQueryError(BadRequestError):
    """The query or ``k`` cannot be searched; the message says why."""


class EmptyIndexError(UnavailableError):
    """There is nothing to search yet."""


@dataclass(frozen=True)
class SearchResult:
    """One cited result, as ``ibis-copilot search --json`` and the HTTP API return it."""

    rank: int
    score: float
    source: str
    path: str
    title: str
    heading: str
    url: str
    text: str
    similarity: float | None = None  # cosine similarity to the query, when dense found it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalised(scores: list[float]) -> list[float]:
    """One ranking's scores scaled over its candidates, the best 1 and the last 0, so that
    rankings on different scales (cosine similarity, BM25) can be added. Adding scores
    rather than reciprocal ranks keeps how far apart two candidates are: development
    (373 questions, 2026-12-02) MRR@10 0.796 → 0.815, R@1 0.710 → 0.743 (concept questions
    0.72 → 0.87), R@5 0.912 → 0.909; dividing by the best score alone: 0.818."""
    high, low = max(scores, default=0.0), min(scores, default=0.0)
    return [(score - low) / (high - low) if high > low else 1.0 for score in scores]


def validate(query: str, k: int) -> str:
    """The stripped query, or InvalidQueryError."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidQueryError("the query is empty")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidQueryError(
            f"the query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are allowed"
        )
    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= MAX_K:
        raise InvalidQueryError(f"k must be an integer from 1 to {MAX_K}")
    return query.strip()


def code_names(query: str) -> list[str]:
    """Identifiers the query writes as code: `join`, pivot_longer, Table.join, GroupedTable."""
    names = []
    for quoted, bare in CODE_NAME.findall(query):
        name = (quoted or bare).strip().rstrip("()").removeprefix("ibis.")
        if name:
            names.append(name.lower())
    return names


class IndexModelMismatchError(UnavailableError):
    """The index holds vectors of another embedding model than the configured one."""


class Retriever:
    """Searches one store; keeps chunk texts in memory for BM25 and name look-ups."""

    def __init__(
        self, store: KnowledgeStore, embedder: Embedder, reranker: Reranker | None = None
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.built_with = store.info().get("embedding_model")
        self.dense_weight = DENSE_WEIGHT
        self.gist_weight = GIST_WEIGHT
        stored = store.all_chunks()
        self.ids = [chunk_id for chunk_id, _ in stored]
        self.chunks = dict(stored)
        self.lexical = BM25([chunk.document for _, chunk in stored])
        self.backend_bonus = NAMED_BACKEND_BONUS
        self.by_name: dict[str, list[str]] = defaultdict(list)
        #: Each backend's names as a question writes them, from the support data.
        self.backend_aliases = {
            chunk.extra["backend"]: set(chunk.extra["aliases"].split())
            for _, chunk in stored
            if "backend" in chunk.extra
        }
        #: The chunks of backend and grouped-column twins (``TWIN_HOMES``).
        self.twins = {chunk_id for chunk_id, chunk in stored if chunk.path.startswith(TWIN_HOMES)}
        #: Each page's own sections (not its vocabulary), in the order stored.
        self.sections: dict[str, list[str]] = defaultdict(list)
        for chunk_id, chunk in stored:
            if "part" in chunk.extra:
                continue
            self.sections[chunk.path].append(chunk_id)
            if chunk.path.startswith("api:"):
                for name in self._names(chunk):
                    self.by_name[name].append(chunk_id)

    @staticmethod
    def _names(chunk: Chunk) -> set[str]:
        parts = chunk.path.removeprefix("api:").lower().split(".")
        names = {".".join(parts[i:]) for i in range(len(parts))}
        user_name = chunk.extra.get("user_name", "").lower().removeprefix("ibis.")
        return names | {user_name} - {""}

    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[SearchResult]:
        """The ``k`` best sections for ``query``, best first, each with its citation.

        ``mode`` is ``hybrid`` (the default), or ``dense`` / ``lexical`` alone, for
        measuring what each part contributes.
        """
        query = validate(query, k)
        if mode not in MODES:
            raise InvalidQueryError(f"mode must be one of {', '.join(MODES)}")
        if not self.ids:
            raise EmptyIndexError("the knowledge index is empty; build it with: ibis-copilot index")
        fused: dict[str, float] = defaultdict(float)
        similarity: dict[str, float] = {}
        if mode != "lexical" and self.built_with not in (None, self.embedder.model_name):
            raise IndexModelMismatchError(
                f"the index holds embeddings of {self.built_with!r}, not of the configured "
                f"model {self.embedder.model_name!r}; re-embed it with: ibis-copilot index"
            )
        pasted_error = read_error_query(query)
        text = pasted_error.text if pasted_error else without_product_name(query)
        if mode != "lexical":
            vector = self.embedder.embed([in_corpus_words(text, self.lexical)])[0]
            for weight, gists in ((self.dense_weight, False), (self.gist_weight, True)):
                hits = self.store.nearest(vector, CANDIDATES, gists=gists)
                shares = normalised([hit_similarity for _, hit_similarity in hits])
                for (chunk_id, hit_similarity), share in zip(hits, shares, strict=True):
                    fused[chunk_id] += weight * share
                    similarity[chunk_id] = max(similarity.get(chunk_id, -1.0), hit_similarity)
        if mode != "dense":
            found = self.lexical.search(text, CANDIDATES)
            shares = normalised([score for _, score in found])
            for (index, _), share in zip(found, shares, strict=True):
                fused[self.ids[index]] += share
        if mode != "hybrid":
            return self._deduplicated(
                sorted(fused.items(), key=lambda item: -item[1]), k, similarity
            )
        scores = {
            chunk_id: score * KIND_WEIGHT.get(self.chunks[chunk_id].kind, OTHER_KIND_WEIGHT)
            for chunk_id, score in fused.items()
            if chunk_id in self.chunks
        }
        scores = self._about_named_backends(query, scores)
        scores = self._about_named_types(query, scores)
        scores = self._twins_yielded(scores)
        named = self._named(query, pasted_error)
        top = max(scores.values(), default=0.0)
        # Named objects go above everything else, ordered among themselves by the
        # evidence for them (then most specific first); pinning them in a fixed order
        # gave R@1 0.652 on development, this 0.674 (MRR@10 0.740 → 0.752).
        for boost, chunk_id in enumerate(reversed(named)):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + top * (1 + PIN_STEP * boost)
        ranked = sorted(scores.items(), key=lambda item: -item[1])
        if self.reranker is None:
            return self._deduplicated(ranked, k, similarity)
        candidates = self._deduplicated(ranked, max(k, RERANK_CANDIDATES), similarity)
        return self._reranked(query, candidates, pinned=len(named))[:k]

    def _reranked(self, query: str, results: list[SearchResult], pinned: int) -> list[SearchResult]:
        """Order all but the ``pinned`` (named API) results by the cross-encoder."""
        assert self.reranker is not None  # noqa: S101 - only called with a reranker
        rest = results[pinned:]
        passages = [f"{r.title} > {r.heading}\n\n{r.text}" for r in rest]
        rescored = sorted(
            zip(self.reranker.scores(query, passages), rest, strict=True), key=lambda p: -p[0]
        )
        ordered = results[:pinned] + [
            replace(result, score=round(score, 6)) for score, result in rescored
        ]
        return [replace(result, rank=rank) for rank, result in enumerate(ordered, start=1)]

    def _about_named_backends(self, query: str, scores: dict[str, float]) -> dict[str, float]:
        """When the query names backends, drop the per-backend data (the support matrix)
        of every other backend: MySQL's gaps do not answer a question about SQLite; and
        the named backends' support data and docs pages gain ``NAMED_BACKEND_BONUS``."""
        words = set(re.findall(r"[a-z0-9]+", query.lower()))
        named = {b for b, aliases in self.backend_aliases.items() if words & aliases}
        if not named:
            return scores
        pages = {
            f"backends/{alias}.qmd" for backend in named for alias in self.backend_aliases[backend]
        }
        kept = {}
        for chunk_id, score in scores.items():
            chunk = self.chunks[chunk_id]
            backend = chunk.extra.get("backend")
            if backend is not None and backend not in named:
                continue
            about = backend is not None or chunk.path in pages
            kept[chunk_id] = score + self.backend_bonus if about else score
        return kept

    def _about_named_types(self, query: str, scores: dict[str, float]) -> dict[str, float]:
        """When the query says which kind of value it is about (a list per row, a map
        column, text), the methods of that kind's classes gain ``NAMED_TYPE_BONUS``."""
        lowered = query.lower()
        named = {module for module, words in VALUE_TYPE_WORDS.items() if words.search(lowered)}
        if not named:
            return scores
        prefixes = tuple(f"api:ibis.expr.types.{module}." for module in named)
        return {
            chunk_id: score * (1 + NAMED_TYPE_BONUS)
            if self.chunks[chunk_id].path.startswith(prefixes)
            else score
            for chunk_id, score in scores.items()
        }

    def _twins_yielded(self, scores: dict[str, float]) -> dict[str, float]:
        """Backend and grouped-column twins count less than the expression method of the
        same name among the candidates."""

        def method(chunk_id: str) -> str:
            return self.chunks[chunk_id].path.rsplit(".", 1)[-1]

        methods = {
            method(chunk_id)
            for chunk_id in scores
            if chunk_id not in self.twins and self.chunks[chunk_id].path.startswith("api:")
        }
        return {
            chunk_id: score * TWIN_WEIGHT
            if chunk_id in self.twins and method(chunk_id) in methods
            else score
            for chunk_id, score in scores.items()
        }

    def _named(self, query: str, pasted_error: ErrorQuery | None) -> list[str]:
        """The API chunks the query names: a pasted error's by the rules' reading, then by
        the shapes of its pandas code and the foreign names of its failing line; a
        question's by the shapes and the names of the code it writes."""
        shaped = [name for name in shape_names(query) if name in self.by_name]
        if pasted_error is None:
            return self._api_chunks(shaped + self._bridged(code_names(query)))
        foreign = [name for name in code_names(pasted_error.lead) if name not in self.by_name]
        return self._api_chunks(pasted_error.names + shaped + self._bridged(foreign))

    def _bridged(self, written: list[str]) -> list[str]:
        """The names written as code, each foreign one (pandas', NumPy's, SQL's: ``shift``,
        ``np.radians``, ``str.contains``) read as the Ibis names it stands for; a code span
        (``df.groupby('k').x.shift(1)``) is read name by name."""
        names = []
        for name in written:
            if name in self.by_name:
                names.append(name)
                continue
            for part in DOTTED_NAME.findall(name):  # the likeliest name the API has
                names += [n for n in ibis_names_for(part) if n in self.by_name][:1]
        return names

    def _api_chunks(self, names: list[str]) -> list[str]:
        """API chunks of these names, most specific first (Table.join before join)."""
        found: list[str] = []
        for name in names:
            matches = self.by_name.get(name, [])
            # A backend or grouped-column twin is named only where no expression method is.
            own = [chunk_id for chunk_id in matches if chunk_id not in self.twins]
            matches = own or matches
            # Prefer the expression API over backend internals for a bare method name.
            ranked = sorted(
                matches,
                key=lambda i: (".expr.types." not in self.chunks[i].path, len(self.chunks[i].path)),
            )
            found.extend(chunk_id for chunk_id in ranked[:2] if chunk_id not in found)
        return found

    def _deduplicated(
        self, ranked: list[tuple[str, float]], k: int, similarity: dict[str, float]
    ) -> list[SearchResult]:
        """The best section of each page, best first: five answers from five pages
        rather than three sections of one (R@5 0.841 → 0.845 alone on development).
        Each backend's support data counts as a page of its own."""
        results: list[SearchResult] = []
        seen: set[tuple[str, str]] = set()
        for chunk_id, score in ranked:
            chunk = self.chunks.get(chunk_id)
            if chunk is None:
                continue
            page = (chunk.path, chunk.extra.get("backend", ""))
            if page in seen:
                continue
            seen.add(page)
            if chunk.extra.get("part") == "vocabulary":
                chunk = self._shown_for(chunk, ranked)
            results.append(
                SearchResult(
                    rank=len(results) + 1,
                    score=round(score, 6),
                    source=chunk.source,
                    path=chunk.path,
                    title=chunk.title,
                    heading=chunk.heading,
                    url=chunk.url,
                    text=chunk.text,
                    similarity=(round(similarity[chunk_id], 4) if chunk_id in similarity else None),
                )
            )
            if len(results) == k:
                break
        return results

    def _shown_for(self, vocabulary: Chunk, ranked: list[tuple[str, float]]) -> Chunk:
        """What a result found by its vocabulary shows: the page's best-ranked section of
        its own (its first where none ranked): the words users ask with found it, the
        section answers. Only such results pay for the look-up."""
        own = self.sections.get(vocabulary.path)
        if not own:
            return vocabulary
        best = next((chunk_id for chunk_id, _ in ranked if chunk_id in own), own[0])
        return self.chunks[best]
