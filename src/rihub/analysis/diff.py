"""What changed between two statements of the regional initiatives (two cycles, two drafts).

The registry keeps every document that states an initiative; this module says how two such
statements differ, as a pure function of typed inputs so the CLI, the web page and the store can
feed it from parsed reports or from database rows alike.

Matching works outside in. Initiatives are matched by code; the unmatched ones of one region are
paired by text similarity, and a pair that kept its text under a new code is *renamed*. Within a
matched pair, results with the same text are unchanged (same number) or *renumbered* (another
number); the rest are paired by similarity with an optimal assignment and, above a threshold, are
*changed* with a word-level redline. Whatever is left is *added* or *removed*.

Thresholds (``fuzz.ratio`` of lower-cased, whitespace-collapsed text, as a fraction) were
calibrated on the bundled WTDC-25 report; ``tests/test_diff.py::test_*threshold*`` keeps them honest:

* ``RESULT_THRESHOLD = 0.65``. Among the 3,209 pairs of *different* results of one region, the
  median similarity is 0.42 and the highest 0.62 (two CIS2 results that share "persons with
  disabilities and specific needs"). Ten hand-written rewordings of real results (words replaced,
  clauses added or moved, inflections changed) score 0.73-0.86. One heavy restructuring
  ("an experience- and knowledge-exchange platform" → "a regional platform for the exchange of
  experience and knowledge") scores 0.60 and is reported as removed + added: at that level a
  reword cannot be told from a replacement by characters alone, and a false "changed" shows two
  unrelated sentences as one redline, which misleads more than an honest add/remove.
* ``RENAME_THRESHOLD = 0.80`` on an initiative's title + objective + results. Different
  initiatives of one region score at most 0.54 (CIS1 / CIS4); an initiative whose code alone
  changed scores 1.0, and EUR2 with its title extended, a result reworded and its last result
  dropped still scores 0.91. A new code is a strong claim ("the same initiative"), so the bar
  sits well above the noise; below it the pair is reported as removed + added.

Results of added or removed initiatives are not listed one by one: the initiative entry says it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from typing_extensions import TypedDict  # pydantic reads TypedDicts of typing_extensions on Python 3.11

from rihub.analysis.redline import Redline, redline
from rihub.model import REGIONS, Outline
from rihub.records import VersionStatement

RESULT_THRESHOLD = 0.65
RENAME_THRESHOLD = 0.80

FieldName = Literal["title", "objective", "expected_results"]


# --- inputs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultStatement:
    number: int
    text: str


@dataclass(frozen=True)
class InitiativeStatement:
    code: str
    region: str
    title: str
    objective: str | None
    results: tuple[ResultStatement, ...] = ()

    def result_key(self, number: int) -> str:
        return f"{self.code}.{number}"

    @property
    def full_text(self) -> str:
        """Everything the initiative says, the text a rename is recognised by."""
        return " ".join([self.title, self.objective or "", *(r.text for r in self.results)])


def statements_from_outline(outline: Outline) -> list[InitiativeStatement]:
    """A parsed report's initiatives as diff inputs; a result's sub-items count as its text."""
    return [
        InitiativeStatement(
            code=i.code,
            region=i.region,
            title=i.title,
            objective=i.objective,
            results=tuple(
                ResultStatement(r.number, " ".join([r.text, *(s.text for s in r.sub_items)]))
                for r in i.expected_results
            ),
        )
        for i in outline.initiatives
    ]


def statement_of_version(v: VersionStatement) -> InitiativeStatement:
    """A stored version as a diff input (result text with its sub-items, as for an outline)."""
    return InitiativeStatement(
        code=v.code,
        region=v.region,
        title=v.title,
        objective=v.objective,
        results=tuple(ResultStatement(r.number, " ".join([r.text, *(s[1] for s in r.sub_items)])) for r in v.results),
    )


# --- similarity and pairing ----------------------------------------------------------------------


def _spaced(text: str) -> str:
    """The text with its spacing collapsed: a line break moved by a re-export is no edit (a capital is)."""
    return " ".join(text.split())


def _normal(text: str) -> str:
    return _spaced(text).lower()


def _same(a: str, b: str) -> bool:
    return _spaced(a) == _spaced(b)


def similarity(a: str, b: str) -> float:
    """Character-level similarity in [0, 1] (rapidfuzz's Indel ratio); case and spacing ignored."""
    return fuzz.ratio(_normal(a), _normal(b)) / 100


def _assign(old: Sequence[str], new: Sequence[str], threshold: float) -> list[tuple[int, int, float]]:
    """Pairs (old index, new index, similarity) of the optimal assignment that reach ``threshold``.

    Optimal rather than greedy: when two results were both reworded, the best pair for one may be
    the only good pair for the other, and maximising the total keeps both.
    """
    if not old or not new:
        return []
    from scipy.optimize import linear_sum_assignment  # imported here: scipy is slow to import

    scores = process.cdist(old, new, scorer=fuzz.ratio, processor=_normal, dtype=np.float64) / 100
    scores[scores < threshold] = 0.0
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return [(int(r), int(c), float(scores[r, c])) for r, c in zip(rows, cols, strict=True) if scores[r, c] > 0]


# --- the diff ------------------------------------------------------------------------------------


MoveJSON = TypedDict("MoveJSON", {"from": str, "to": str})


class InitiativeChangeJSON(TypedDict):
    code: str
    fields: list[str]


class InitiativesJSON(TypedDict):
    added: list[str]
    removed: list[str]
    renamed: list[MoveJSON]
    changed: list[InitiativeChangeJSON]


class ResultChangeJSON(TypedDict):
    key: str
    redline: str


class ResultsJSON(TypedDict):
    added: list[str]
    removed: list[str]
    renumbered: list[MoveJSON]
    changed: list[ResultChangeJSON]


class DiffJSON(TypedDict):
    initiatives: InitiativesJSON
    expected_results: ResultsJSON


@dataclass(frozen=True)
class Move:
    """A code or result key that changed: ``old`` in the old statement, ``new`` in the new one."""

    old: str
    new: str

    def to_json(self) -> MoveJSON:
        return {"from": self.old, "to": self.new}


@dataclass(frozen=True)
class KeyedResult:
    key: str
    text: str


@dataclass(frozen=True)
class ResultChange:
    key: str  # the new key
    old_key: str
    similarity: float
    redline: Redline


@dataclass(frozen=True)
class InitiativeChange:
    """A matched initiative that differs; redlines for the fields that changed, None for the others."""

    code: str  # the new code
    old_code: str
    fields: tuple[FieldName, ...]
    title: Redline | None = None
    objective: Redline | None = None
    added: tuple[KeyedResult, ...] = ()
    removed: tuple[KeyedResult, ...] = ()
    renumbered: tuple[Move, ...] = ()
    changed: tuple[ResultChange, ...] = ()


@dataclass(frozen=True)
class Diff:
    """The whole difference: initiatives added, removed and renamed, and each changed one in detail.

    The detail (old text, new text, segments of every changed field and result, the text of added
    and removed results) is what a page needs for a redline; :meth:`to_json` is the summary.
    """

    added: tuple[InitiativeStatement, ...] = ()
    removed: tuple[InitiativeStatement, ...] = ()
    renamed: tuple[Move, ...] = ()
    changed: tuple[InitiativeChange, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed)

    def to_json(self) -> DiffJSON:
        """The public contract, in the order of :func:`sort_key` (regions as ITU lists them)."""
        return {
            "initiatives": {
                "added": sorted((i.code for i in self.added), key=sort_key),
                "removed": sorted((i.code for i in self.removed), key=sort_key),
                "renamed": [m.to_json() for m in _sorted_moves(self.renamed)],
                "changed": [
                    {"code": c.code, "fields": list(c.fields)}
                    for c in sorted(self.changed, key=lambda c: sort_key(c.code))
                ],
            },
            "expected_results": {
                "added": sorted((r.key for c in self.changed for r in c.added), key=sort_key),
                "removed": sorted((r.key for c in self.changed for r in c.removed), key=sort_key),
                "renumbered": [m.to_json() for m in _sorted_moves(m for c in self.changed for m in c.renumbered)],
                "changed": [
                    {"key": r.key, "redline": r.redline.text()}
                    for r in sorted((r for c in self.changed for r in c.changed), key=lambda r: sort_key(r.key))
                ],
            },
        }


_KEY = re.compile(r"^(?P<region>[A-Z]+)(?P<code>\d+)(?:\.(?P<result>\d+))?$")
_REGION_RANK = {code: rank for rank, code in enumerate(REGIONS)}


def sort_key(key: str) -> tuple[int, int, int, str]:
    """ "EUR1.3" → (1, 1, 3, …): region in ITU's order, then numbers as numbers (EUR10 after EUR9)."""
    match = _KEY.match(key)
    if match is None:
        return (len(REGIONS) + 1, 0, 0, key)
    rank = _REGION_RANK.get(match.group("region"), len(REGIONS))
    return (rank, int(match.group("code")), int(match.group("result") or 0), key)


def _sorted_moves(moves: Iterable[Move]) -> list[Move]:
    return sorted(moves, key=lambda m: (sort_key(m.old), sort_key(m.new)))


def diff_statements(
    old: Iterable[InitiativeStatement], new: Iterable[InitiativeStatement], region: str | None = None
) -> Diff:
    """How ``new`` differs from ``old``, optionally within one region ("EUR").

    Codes identify initiatives within a cycle, so a shared code is the same initiative whatever
    its text; only initiatives whose code has no counterpart are candidates for a rename.
    """
    olds, news = _in_region(old, region), _in_region(new, region)
    by_code = {s.code: s for s in news}
    old_codes = {s.code for s in olds}
    pairs = [(o, by_code[o.code]) for o in olds if o.code in by_code]
    lone_old = [o for o in olds if o.code not in by_code]
    lone_new = [n for n in news if n.code not in old_codes]
    renamed = _renamed(lone_old, lone_new)
    paired_old = {o.code for o, _ in renamed}
    paired_new = {n.code for _, n in renamed}
    changes = (compare_initiatives(o, n) for o, n in pairs + renamed)
    return Diff(
        added=tuple(n for n in lone_new if n.code not in paired_new),
        removed=tuple(o for o in lone_old if o.code not in paired_old),
        renamed=tuple(Move(o.code, n.code) for o, n in renamed),
        changed=tuple(c for c in changes if c is not None),
    )


def _in_region(statements: Iterable[InitiativeStatement], region: str | None) -> list[InitiativeStatement]:
    if region is not None and region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
    chosen = [s for s in statements if region is None or s.region == region]
    seen: set[str] = set()
    for s in chosen:
        if s.code in seen:
            raise ValueError(f"initiative code {s.code} is stated twice; a code names one initiative per statement")
        seen.add(s.code)
    return chosen


def _renamed(
    old: list[InitiativeStatement], new: list[InitiativeStatement]
) -> list[tuple[InitiativeStatement, InitiativeStatement]]:
    """Unmatched initiatives of one region whose whole text stayed (nearly) the same."""
    pairs = []
    for region in dict.fromkeys(s.region for s in old):
        olds = [s for s in old if s.region == region]
        news = [s for s in new if s.region == region]
        found = _assign([s.full_text for s in olds], [s.full_text for s in news], RENAME_THRESHOLD)
        pairs += [(olds[i], news[j]) for i, j, _ in found]
    return pairs


def compare_initiatives(old: InitiativeStatement, new: InitiativeStatement) -> InitiativeChange | None:
    """The fields of a matched pair that differ, with their redlines; None when nothing does."""
    title = None if _same(old.title, new.title) else redline(old.title, new.title)
    objective = None
    if not _same(old.objective or "", new.objective or ""):
        objective = redline(old.objective or "", new.objective or "")
    added, removed, renumbered, changed = _compare_results(old, new)
    fields: list[FieldName] = []
    if title:
        fields.append("title")
    if objective:
        fields.append("objective")
    if added or removed or renumbered or changed:
        fields.append("expected_results")
    if not fields:
        return None
    return InitiativeChange(new.code, old.code, tuple(fields), title, objective, added, removed, renumbered, changed)


_ResultDiff = tuple[tuple[KeyedResult, ...], tuple[KeyedResult, ...], tuple[Move, ...], tuple[ResultChange, ...]]


def _compare_results(old: InitiativeStatement, new: InitiativeStatement) -> _ResultDiff:
    """Added, removed, renumbered and changed results of a matched pair, in that order.

    Exact text is settled first (unchanged, then moved), so similarity only ever has to tell a
    reworded result from a replaced one among what is left.
    """
    olds, news = list(old.results), list(new.results)
    for r in list(olds):
        twin = next((n for n in news if n.number == r.number and _same(n.text, r.text)), None)
        if twin is not None:
            olds.remove(r)
            news.remove(twin)
    moved: list[Move] = []
    same_text: defaultdict[str, list[ResultStatement]] = defaultdict(list)
    for n in news:
        same_text[_spaced(n.text)].append(n)
    for r in list(olds):
        if same_text[_spaced(r.text)]:
            n = same_text[_spaced(r.text)].pop(0)
            olds.remove(r)
            news.remove(n)
            moved.append(Move(old.result_key(r.number), new.result_key(n.number)))
    changed: list[ResultChange] = []
    pairs = _assign([r.text for r in olds], [n.text for n in news], RESULT_THRESHOLD)
    for i, j, score in pairs:
        o, n = olds[i], news[j]
        changed.append(ResultChange(new.result_key(n.number), old.result_key(o.number), score, redline(o.text, n.text)))
        if o.number != n.number:
            moved.append(Move(old.result_key(o.number), new.result_key(n.number)))
    gone, came = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    return (
        tuple(KeyedResult(new.result_key(n.number), n.text) for j, n in enumerate(news) if j not in came),
        tuple(KeyedResult(old.result_key(r.number), r.text) for i, r in enumerate(olds) if i not in gone),
        tuple(moved),
        tuple(changed),
    )
