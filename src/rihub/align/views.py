"""Domain views on a text beyond its own wording: salience, custodian targets, context.

- **Salience** (`salient`): the head of a sentence says what a result *does*; a parenthetical, a
  dash-delimited aside, an example list ("such as …", "e.g. …", "including …", "for example …") or
  a comma list after a colon inside a sentence only illustrates it. The classifier scores the head,
  and the asides with a reduced weight (the ``Aligner``'s ``ASIDE_WEIGHT``) in the ranking; terms
  found only in the illustrations are reported as evidence (``example_terms``), and a label that only
  the asides take over its threshold is never proposed, so "agriculture" in a list of example
  sectors may rank SDG 2 but does not propose it.
- **Custodian targets** (`custodian_hits`): the ICT-specific SDG targets and the indicators for which
  ITU is the custodian agency (``frameworks/custodian.json``); a term that one of them counts
  (spectrum, mobile network, data infrastructure ...) in the head of the text lifts the goal's logit.
- **Context** (`context_lift`): an expected result is read under its initiative's title and the
  results' lead-in; a label the context itself proposes lifts the result's logit a little.

The lifts are additive logits (``CUSTODIAN_LOGIT``, ``CONTEXT_WEIGHT``) applied after the combiner;
they are in-domain views, so they are not part of the SDG-benchmark combiner.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from rihub.frameworks import CustodianTarget, custodian_targets

__all__ = [
    "CONTEXT_WEIGHT",
    "CUSTODIAN_LOGIT",
    "Salient",
    "context_lift",
    "custodian_hits",
    "custodian_matrix",
    "salient",
]

CUSTODIAN_LOGIT = 2.0
"""Logit added to a goal when the head of the text names something a custodian target counts."""
CONTEXT_WEIGHT = 0.5
"""Share of the context's margin over the threshold (in logits) passed on to each result."""

_PAREN_RE = re.compile(r"\s*\([^()]*\)|\s*[—–]\s[^—–]*\s[—–]\s?|\s*—[^—]*—")
_EXAMPLE_RE = re.compile(
    r"(?:,\s*|\s+)(?:such as|e\.g\.,?|for example,?|for instance,?|including|like|i\.e\.,?)\s+"
    r"(?:(?!,\s*(?:for|to|in order|which|that|while|so that|so as|with a view|aiming|aimed)\b)[^.;:!?])*",
    re.IGNORECASE,
)
_COLON_LIST_RE = re.compile(r"(?<=\w):\s+([^.;!?]*,[^.;!?]*,[^.;!?]*)")


@dataclass(frozen=True)
class Salient:
    """A text's head (what is scored) and the illustrative spans taken out of it."""

    head: str
    asides: tuple[str, ...]


def salient(text: str) -> Salient:
    """Split ``text`` into its head and its asides (parentheticals, example lists, colon lists).

    A one-word parenthetical ("(CSIRTs)") names the head and stays. A colon list only counts
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

    head = _PAREN_RE.sub(take, text)
    head = _EXAMPLE_RE.sub(take, head)

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


@cache
def _custodian_patterns() -> tuple[tuple[CustodianTarget, tuple[tuple[str, re.Pattern[str]], ...]], ...]:
    out = []
    for target in custodian_targets():
        pats = []
        for term in target.terms:
            acronym = term.isupper() and len(term) <= 6
            body = re.escape(term).replace(r"\ ", r"[\s/-]+").replace(r"\-", r"[\s-]?")
            pats.append((term, re.compile(rf"(?<![\w-]){body}(?![\w])", 0 if acronym else re.IGNORECASE)))
        out.append((target, tuple(pats)))
    return tuple(out)


def custodian_hits(head: str) -> dict[str, list[dict[str, object]]]:
    """Per SDG goal, the custodian / ICT-specific targets whose terms the head of a text names."""
    found: dict[str, list[dict[str, object]]] = {}
    for target, pats in _custodian_patterns():
        terms = [term for term, pat in pats if pat.search(head)]
        if terms:
            found.setdefault(target.goal, []).append(
                {"target": target.target, "indicator": target.indicator, "kind": target.kind, "terms": terms}
            )
    return found


def custodian_matrix(heads: Sequence[str], codes: Sequence[str]) -> npt.NDArray[np.float64]:
    """Logit lift per (text, SDG goal): ``CUSTODIAN_LOGIT`` where a custodian target is named."""
    col = {c: j for j, c in enumerate(codes)}
    out = np.zeros((len(heads), len(codes)))
    for i, head in enumerate(heads):
        for goal in custodian_hits(head):
            if goal in col:
                out[i, col[goal]] = CUSTODIAN_LOGIT
    return out


def context_lift(
    context_logit: npt.NDArray[np.float64], threshold_logit: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``CONTEXT_WEIGHT`` × the context's margin over the threshold, where the context passes it."""
    return CONTEXT_WEIGHT * np.maximum(context_logit - threshold_logit, 0.0)
