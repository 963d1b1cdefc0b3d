"""Domain views on a text beyond its own wording: salience, custodian targets, applications, context.

- **Salience** (`salient`): the head of a sentence says what a result *does*; a parenthetical, a
  dash-delimited aside, an example list ("such as …", "e.g. …", "including …", "for example …") or
  a comma list after a colon inside a sentence only illustrates it. The classifier scores the head,
  and the asides with a reduced weight (the ``Aligner``'s ``ASIDE_WEIGHT``) in the ranking; terms
  found only in the illustrations are reported as evidence (``example_terms``), and a label that only
  the asides take over its threshold is never proposed, so "agriculture" in a list of example
  sectors may rank SDG 2 but does not propose it.
- **Custodian targets** (`custodian_hits`): the ICT-specific SDG targets, the indicators for which
  ITU is the custodian agency and the targets ITU-D mandates serve (emergency telecommunications:
  11.b and 13.1; accessibility and indigenous peoples: 10.2) (``frameworks/custodian.json``); a term
  that one of them counts (spectrum, mobile network, persons with disabilities ...) in the head of the
  text lifts the goal's logit, and the logit of the WSIS line the entry names (9.c.1's networks: C2).
- **Shared indicators** (`shared_indicator_scores`): the UN framework measures some targets of
  different goals by one indicator (national disaster risk reduction strategies: 11.b.1 = 13.1.2); a
  custodian entry names the goals it ``shares`` with, and where its terms are in the head each goal
  rises to the score of the other, since the same evidence supports both.
- **Applications** (`application_hits`): the uses of ICT that WSIS action lines C7 and C5 name, each
  tied to the goal the labelling guide gives it (``frameworks/wsis.json`` ``applications``): e-health
  and telemedicine 3, e-learning 4, e-waste 12, e-government and digital identity 16, child online
  protection 16, e-commerce and digital payments 8, cybersecurity and CIRTs 9. The SDG lexicon's
  "health" does not match inside "e-health", MiniLM puts "telemedicine" far from goal 3's wording, and
  the benchmark-fitted combiner scores "e-government services" near zero for goal 16, so without the
  view a short title of that kind gets no SDG at all. The same entry lifts its WSIS line (C7, C5);
  e-environment's early warning and green ICT are line-only entries (their goals come from the
  custodian view or the wording).
- **Guide terms** (`guide_term_hits`): a GDC objective's ``lexicon_terms`` are the words the guide's
  G rules tie to it (the LDCs and disasters for 1, MSMEs and e-commerce for 2, CIRTs and consumer
  protection for 3), and the terms of the custodian entries and applications that name the objective
  (access, spectrum, skills, disasters and ICT for the SDGs: 1; e-commerce: 2; cybersecurity: 3);
  named in the head they lift it by ``GUIDE_TERM_LOGIT``. The label prior fitted on the in-domain set
  (where objective 1 dominates) otherwise kept "Setting up national CIRTs." under objective 1.
- **Named aims** (`NAMED_AIM_GOALS`, `unnamed_aims`): in a text about ICT, a goal about a sector
  (health, agriculture, water, energy, cities, consumption, oceans, land) or a group of people (women,
  persons with disabilities and other excluded groups) is an aim only where the text or its context
  names it — a lexicon term of the goal — or a named-goal view above lifts it: the labelling guide's
  S-SECTOR, S-GENDER and S-INCLUSION rules. The combiner reads "risk analysis" as target 3.d and
  "participation of all" as goal 5. Such a goal is never proposed (held just under its threshold
  by the ``Aligner``), and unless an aside names it, it ranks ``UNNAMED_AIM_LOGIT`` lower.
- **Context** (`context_lift`): an expected result is read under its initiative's title and the
  results' lead-in; a label the context itself proposes lifts the result's logit a little.

The lifts are additive logits (``CUSTODIAN_LOGIT``, ``APPLICATION_LOGIT``, ``CONTEXT_WEIGHT``) applied
after the combiner; they are in-domain views, so they are not part of the SDG-benchmark combiner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import cast

import numpy as np
import numpy.typing as npt

from rihub.frameworks import CustodianTarget, WsisApplication, custodian_targets, load, wsis_applications

__all__ = [
    "APPLICATION_LOGIT",
    "CONTEXT_WEIGHT",
    "CUSTODIAN_LOGIT",
    "GUIDE_TERM_LOGIT",
    "NAMED_AIM_GOALS",
    "UNNAMED_AIM_LOGIT",
    "Salient",
    "about_ict",
    "application_hits",
    "application_matrix",
    "clear_caches",
    "context_lift",
    "custodian_hits",
    "custodian_matrix",
    "guide_term_hits",
    "guide_term_matrix",
    "salient",
    "shared_indicator_scores",
    "shared_with",
    "unnamed_aim_matrix",
    "unnamed_aims",
]

CUSTODIAN_LOGIT = 6.0
"""Logit added to a goal when the head of the text names something a custodian target counts; chosen
out of fold on the in-domain set (``bench/align_lifts.py``, docs/alignment.md)."""
APPLICATION_LOGIT = CUSTODIAN_LOGIT
"""Logit added to a goal, and to the WSIS line, when the head names an application (C7, C5): the weight
of a custodian target, for the same kind of evidence (an official source ties the named thing to one
goal and one line)."""
GUIDE_TERM_LOGIT = 1.5
"""Logit added to a GDC objective when the head names the guide's words for it (``lexicon_terms``:
LDCs and disasters for 1, e-commerce and MSMEs for 2, CIRTs and consumer protection for 3 ...; and
the terms of the custodian entries and applications that name the objective): chosen out of fold
on the in-domain set (``bench/align_lifts.py --view guide_terms``: best GDC MAP, ties to the value
shipped before; grid 0-4) on 2026-12-04, with the second other-cycle set unsealed as dev and a third
sealed (docs/benchmarks.md); 2.0 before, chosen from 2, 4 and 6 when no entry named an objective.
The same view on WSIS lines' lexicon terms lowered in-domain WSIS MAP (0.8185 -> 0.8175), so WSIS
has none."""
CONTEXT_WEIGHT = 0.5
"""Share of the context's margin over the threshold (in logits) passed on to each result."""
NAMED_AIM_GOALS = frozenset({"2", "3", "5", "6", "7", "10", "11", "12", "14", "15"})
"""SDGs a text about ICT serves only when it names their sector or group (data/indomain/guide.md:
S-SECTOR for 2, 3, 6, 7, 11, 12, 14, 15; S-GENDER for 5; S-INCLUSION for 10). Goals 4, 8, 9, 13, 16
and 17 are about what a text does (skills, enterprise, infrastructure, climate action, institutions,
partnership), which wording far from the lexicon often says, and goal 1 the guide gives from the aim
of resilience; those are left to the text."""
UNNAMED_AIM_LOGIT = -1.74
"""Logit added to a ``NAMED_AIM_GOALS`` goal that an ICT text does not name: the offset the label-prior
estimator (log loss, L2 penalty ``PRIOR_PENALTY``) fits on the in-domain pairs so marked
(``bench/align_unnamed.py``: 6 of 1,558 are labels; docs/alignment.md)."""
_ICT_RE = re.compile(
    r"(?<![\w-])(?:ICTs?|telecommunications?|telecoms?|digital\w*|broadband|internet|cyber\w*|online|"
    r"e-[a-z]\w+|connectivity|spectrum|satellites?|artificial intelligence|AI|computers?|computing|"
    r"mobile (?:phones?|networks?|services?|broadband|money|applications?))(?!\w)",
    re.IGNORECASE,
)


_PAREN_RE = re.compile(r"\s*\([^()]*\)|\s*[—–]\s[^—–]*\s[—–]\s?|\s*—[^—]*—")
_EXAMPLE_RE = re.compile(
    r"(?:,\s*|\s+)(?:such as|e\.g\.,?|for example,?|for instance,?|including|like|i\.e\.,?)\s+"
    r"(?:(?!,\s*(?:for|to|in|by|with|in order|which|that|while|so that|so as|with a view|aiming|aimed)\b)[^.;:!?])*",
    re.IGNORECASE,
)
_COLON_LIST_RE = re.compile(r"(?<=\w):\s+([^.;!?]*,[^.;!?]*,[^.;!?]*)")
# ", including Pacific Island countries, and LLDCs in deploying ...": one example set off by commas
# inside the head's own list, which then goes on ("and LLDCs ...").
_ONE_EXAMPLE_RE = re.compile(r"(,\s*[^,]+),(\s*(?:and|or)\s.*)\Z", re.DOTALL)


@dataclass(frozen=True)
class Salient:
    """A text's head (what is scored) and the illustrative spans taken out of it."""

    head: str
    asides: tuple[str, ...]


def salient(text: str) -> Salient:
    """Split ``text`` into its head and its asides (parentheticals, example lists, colon lists).

    A one-word parenthetical ("(CSIRTs)") names the head and stays. A single example set off by
    commas inside the head's own list ("LDCs, SIDS, including Pacific Island countries, and LLDCs in
    ...") is taken out and the head goes on after it. A colon list only counts
    inside a sentence (at least four words before the colon), so
    "Objective: To harness …" keeps its objective. If stripping would leave fewer than four words,
    the text is its own head (a text that is all list has nothing else to say).
    """
    asides: list[str] = []

    def take(m: re.Match[str]) -> str:
        inner = m.group(0).strip(" ,()—–")
        if len(inner.split()) == 1:  # "(CSIRTs)", "(MHEWS)": a name for the head, not an aside
            return m.group(0)
        asides.append(inner)
        return " "

    def example(m: re.Match[str]) -> str:
        if one := _ONE_EXAMPLE_RE.match(m.group(0)):  # the head resumes after a single example
            asides.append(one.group(1).strip(" ,"))
            return "," + one.group(2)
        return take(m)

    head = _PAREN_RE.sub(take, text)
    for _ in range(4):  # a resumed head may hold a later list ("... and LLDCs in ..., such as ...")
        if (stripped := _EXAMPLE_RE.sub(example, head)) == head:
            break
        head = stripped

    def colon(m: re.Match[str]) -> str:
        before = head[: m.start()].split(".")[-1]
        if len(before.split()) < 4:
            return m.group(0)
        asides.append(m.group(1).strip())
        return ""

    head = _COLON_LIST_RE.sub(colon, head)
    head = re.sub(r"\s+([.,;:])", r"\1", re.sub(r"\s{2,}", " ", head)).strip()
    if len(head.split()) < 4:
        return Salient(text, ())
    return Salient(head, tuple(a for a in asides if a))


Patterns = tuple[tuple[str, re.Pattern[str]], ...]


def _term_patterns(terms: Sequence[str]) -> Patterns:
    """Word-bounded, case-insensitive patterns (acronyms case-sensitive); "/" or "-" may join words."""
    pats = []
    for term in terms:
        acronym = term.isupper() and len(term) <= 6
        body = re.escape(term).replace(r"\ ", r"[\s/-]+").replace(r"\-", r"[\s-]?")
        pats.append((term, re.compile(rf"(?<![\w-]){body}(?![\w])", 0 if acronym else re.IGNORECASE)))
    return tuple(pats)


Hits = dict[str, list[dict[str, object]]]
Named = tuple[tuple[str | None, dict[str, object], Patterns], ...]  # (goal, what the evidence names, its terms)


def _custodian_names(t: CustodianTarget) -> dict[str, object]:
    """What a custodian entry's evidence names: target, indicator, kind, and the goals and line it shares."""
    names: dict[str, object] = {"target": t.target, "indicator": t.indicator, "kind": t.kind}
    if t.shares:
        names["shares"] = list(t.shares)
    if t.line:
        names["line"] = t.line
    if t.objective:
        names["objective"] = t.objective
    return names


@cache
def _custodian_entries() -> Named:
    return tuple((t.goal, _custodian_names(t), _term_patterns(t.terms)) for t in custodian_targets())


@cache
def _application_entries() -> Named:
    return tuple((a.goal, _application_names(a), _term_patterns(a.terms)) for a in wsis_applications())


def _application_names(a: WsisApplication) -> dict[str, object]:
    """What an application entry's evidence names: the use, its line and rule, the GDC objective it serves."""
    names: dict[str, object] = {"application": a.application, "line": a.line, "rule": a.rule}
    if a.objective:
        names["objective"] = a.objective
    return names


@cache
def _guide_term_entries() -> Named:
    """Each GDC objective's ``lexicon_terms``: the words the labelling guide's G rules tie to it."""
    return tuple(
        (None, {"objective": item.code, "rule": f"G{item.code}"}, _term_patterns(item.lexicon_terms))
        for item in load("GDC")
        if item.is_top_level and item.lexicon_terms
    )


_ENTRIES: dict[str, Callable[[], Named]] = {
    "custodian": _custodian_entries,
    "application": _application_entries,
    "guide_terms": _guide_term_entries,
}


@lru_cache(maxsize=2048)  # heads are at most MAX_TEXT_CHARS: a few MB at most
def _matches(head: str, view: str) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """(entry index, terms found) of a view's entries in ``head``: the regex work, done once per head
    (the lifts, the shared-indicator view and the evidence all ask for the same heads)."""
    found = []
    for k, (_, _, pats) in enumerate(_ENTRIES[view]()):
        if terms := tuple(term for term, pat in pats if pat.search(head)):
            found.append((k, terms))
    return tuple(found)


def clear_caches() -> None:
    """Forget the per-head matches (for throughput figures that must not reuse earlier work)."""
    _matches.cache_clear()


def _named_hits(head: str, view: str, by: str = "goal") -> Hits:
    """Per code (the entry's SDG goal, or the value of its field ``by``), the entries the head names."""
    entries = _ENTRIES[view]()
    found: Hits = {}
    for k, terms in _matches(head, view):
        goal, names, _ = entries[k]
        code = goal if by == "goal" else names.get(by)
        if isinstance(code, str):
            found.setdefault(code, []).append({**names, "terms": list(terms)})
    return found


def custodian_hits(head: str, framework: str = "SDG") -> Hits:
    """Per SDG goal, or per WSIS line for ``framework="WSIS"`` (9.c's networks and spectrum: C2), the
    custodian / ICT-specific targets whose terms the head of a text names."""
    return _named_hits(head, "custodian", "goal" if framework == "SDG" else "line")


def application_hits(head: str, framework: str = "SDG") -> Hits:
    """Per SDG goal (e-health -> 3, CIRTs -> 9 ...), or per WSIS line for ``framework="WSIS"`` (e-health
    -> C7, CIRTs -> C5), the applications whose terms the head of a text names."""
    return _named_hits(head, "application", "goal" if framework == "SDG" else "line")


def guide_term_hits(head: str) -> Hits:
    """Per GDC objective, the guide's words for it that the head of a text names: its ``lexicon_terms``,
    and the terms of the custodian and application entries whose ``objective`` it is (G1: access and
    skills, which targets 9.c, 17.6 and 4.4 count, and ICT for the SDGs: disasters, climate, e-waste,
    e-health; G2 e-commerce; G3 cybersecurity and child online protection)."""
    found = _named_hits(head, "guide_terms", "objective")
    for view in ("custodian", "application"):
        for code, hits in _named_hits(head, view, "objective").items():
            found.setdefault(code, []).extend(hits)
    return found


def guide_term_matrix(heads: Sequence[str], codes: Sequence[str]) -> npt.NDArray[np.float64]:
    """Logit lift per (text, GDC objective): ``GUIDE_TERM_LOGIT`` where the guide's words for it are named."""
    return _goal_lift(guide_term_hits, GUIDE_TERM_LOGIT, heads, codes)


def _goal_lift(
    hits: Callable[[str], Hits], logit: float, heads: Sequence[str], codes: Sequence[str]
) -> npt.NDArray[np.float64]:
    col = {c: j for j, c in enumerate(codes)}
    out = np.zeros((len(heads), len(codes)))
    for i, head in enumerate(heads):
        for goal in hits(head):
            if goal in col:
                out[i, col[goal]] = logit
    return out


def custodian_matrix(heads: Sequence[str], codes: Sequence[str], framework: str = "SDG") -> npt.NDArray[np.float64]:
    """Logit lift per (text, SDG goal or WSIS line): ``CUSTODIAN_LOGIT`` where a custodian target is named."""
    return _goal_lift(lambda head: custodian_hits(head, framework), CUSTODIAN_LOGIT, heads, codes)


def application_matrix(heads: Sequence[str], codes: Sequence[str], framework: str = "SDG") -> npt.NDArray[np.float64]:
    """Logit lift per (text, SDG goal or WSIS line): ``APPLICATION_LOGIT`` where an application of it is named."""
    return _goal_lift(lambda head: application_hits(head, framework), APPLICATION_LOGIT, heads, codes)


def shared_indicator_scores(
    score: npt.NDArray[np.float64], heads: Sequence[str], codes: Sequence[str]
) -> npt.NDArray[np.float64]:
    """Scores per (text, goal) with each goal raised to the goal it shares a named indicator with.

    ``score`` holds the scores with every other view applied. Where the head names what a custodian
    entry with ``shares`` counts (a National Emergency Telecommunication Plan, early warning: 11.b.1 =
    13.1.2), the entry's goal gets the higher score of the two, copied (so a partner held under its
    threshold stays under it): the wording that makes a text about one of the targets makes it about
    the other, and the combiner, fitted on texts where goal 11 means cities, scores 13 for disaster
    wording and 11 hardly at all.
    """
    col = {c: j for j, c in enumerate(codes)}
    out = np.array(score, dtype=np.float64)
    for i, head in enumerate(heads):
        for goal, hits in custodian_hits(head).items():
            for other in _shares(hits):
                if goal in col and other in col:
                    out[i, col[goal]] = max(out[i, col[goal]], score[i, col[other]])
    return out


def shared_with(head: str, goal: str) -> list[str]:
    """The goals that share a named indicator with ``goal`` in the head of a text (evidence)."""
    return _shares(custodian_hits(head).get(goal, []))


def _shares(hits: list[dict[str, object]]) -> list[str]:
    return sorted({str(o) for h in hits for o in cast("list[str]", h.get("shares", []))})


def context_lift(
    context_logit: npt.NDArray[np.float64], threshold_logit: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``CONTEXT_WEIGHT`` × the context's margin over the threshold, where the context passes it."""
    return CONTEXT_WEIGHT * np.maximum(context_logit - threshold_logit, 0.0)


def about_ict(text: str | None) -> bool:
    """Whether a text names ICT as its subject (telecommunication, digital, broadband, Internet ...).

    The named-aim view is a rule of telecommunication-development text, where ICT is the subject and
    a sector is an aim only when named; an abstract about food trade is about its sector without
    naming "agriculture" (the SDG benchmark's rows: 36 of 622 name ICT, 162 of the 165 in-domain texts
    or their contexts do).
    """
    return bool(text and _ICT_RE.search(text))


def unnamed_aims(
    texts: Sequence[str], contexts: Sequence[str | None] | None, codes: Sequence[str], named: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Per (text, goal): a ``NAMED_AIM_GOALS`` goal that an ICT text (or one read under an ICT
    context) leaves unnamed; ``named`` says where a lexicon term of the goal is in the head or the
    context, or a named-goal view (custodian, application) lifts it."""
    aim = np.array([c in NAMED_AIM_GOALS for c in codes], dtype=bool)
    ict = [about_ict(t) or about_ict(contexts[i] if contexts else None) for i, t in enumerate(texts)]
    return np.array(ict, dtype=bool)[:, None] & aim[None, :] & ~named


def unnamed_aim_matrix(unnamed: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Logit lift per (text, goal): ``UNNAMED_AIM_LOGIT`` where ``unnamed``."""
    return np.where(unnamed, UNNAMED_AIM_LOGIT, 0.0)
