"""Framework vocabularies (SDG goals + targets, WSIS action lines, GDC objectives).

The vocabularies are versioned package data (``sdg.json``, ``wsis.json``, ``gdc.json``) rather than
free tags, so that every alignment stored in the database points at a code that exists in a known
version of the vocabulary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "FRAMEWORKS",
    "CustodianTarget",
    "FrameworkItem",
    "WsisApplication",
    "all_items",
    "custodian_targets",
    "goals",
    "load",
    "version",
    "wsis_applications",
    "wsis_sdg_prior",
]

FRAMEWORKS: tuple[str, ...] = ("SDG", "WSIS", "GDC")
_FILES = {"SDG": "sdg.json", "WSIS": "wsis.json", "GDC": "gdc.json"}


@dataclass(frozen=True)
class FrameworkItem:
    """One vocabulary entry; ``parent`` is the goal/objective code for targets, else ``None``."""

    framework: str
    code: str
    title: str
    description: str
    keywords: tuple[str, ...]
    parent: str | None
    lexicon_terms: tuple[str, ...] = ()
    """Words the lexicon matches for this item but that are not embedded into its keyword vector: that
    vector also reaches the SDG scores (the WSIS->SDG prior), so adding a keyword is a retraining
    decision, while a lexicon term only adds evidence for this item's own framework."""
    themes: tuple[str, ...] = ()
    """The distinct uses a label covers (WSIS C7: e-government, e-health, e-environment …), each
    embedded as one of its 'targets', so a text near one use is not compared with the blur of all."""

    @property
    def is_top_level(self) -> bool:
        """True for goals, action lines and objectives (the labels the classifier proposes)."""
        return self.parent is None

    @property
    def label(self) -> str:
        """Display label such as ``SDG 9.c`` or ``WSIS C2``."""
        return f"{self.framework} {self.code}"


def _canonical(framework: str) -> str:
    key = framework.strip().upper()
    if key not in _FILES:
        raise KeyError(f"unknown framework {framework!r}; expected one of {', '.join(FRAMEWORKS)}")
    return key


@cache
def _raw(framework: str) -> dict[str, Any]:
    text = resources.files(__name__).joinpath(_FILES[framework]).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _items(framework: str) -> tuple[FrameworkItem, ...]:
    return tuple(
        FrameworkItem(
            framework=framework,
            code=str(row["code"]),
            title=str(row["title"]),
            description=str(row["description"]),
            keywords=tuple(str(k) for k in row.get("keywords", ())),
            parent=None if row.get("parent") is None else str(row["parent"]),
            lexicon_terms=tuple(str(k) for k in row.get("lexicon_terms", ())),
            themes=tuple(str(k) for k in row.get("themes", ())),
        )
        for row in _raw(framework)["items"]
    )


def load(framework: str) -> list[FrameworkItem]:
    """All items of one framework (``"SDG"``, ``"WSIS"`` or ``"GDC"``), goals before their targets."""
    return list(_items(_canonical(framework)))


def goals(framework: str) -> list[FrameworkItem]:
    """Top-level items only: the 17 goals, 11 action lines or 5 objectives."""
    return [item for item in _items(_canonical(framework)) if item.parent is None]


def all_items() -> list[FrameworkItem]:
    """Every item of every framework, in ``FRAMEWORKS`` order."""
    return [item for fw in FRAMEWORKS for item in _items(fw)]


def version(framework: str) -> str:
    """Vocabulary version string, to be stored with each alignment."""
    return str(_raw(_canonical(framework))["version"])


def wsis_sdg_prior() -> dict[str, tuple[str, ...]]:
    """Which SDGs each WSIS action line mostly serves (data in ``wsis.json``), most direct first."""
    prior = _raw("WSIS")["sdg_prior"]
    return {str(k): tuple(str(v) for v in vals) for k, vals in prior.items()}


@dataclass(frozen=True)
class CustodianTarget:
    """An ICT-specific SDG target (most with an ITU-custodian indicator) and the terms it counts.

    ``shares`` names the goals whose targets are measured by the same SDG indicator (the UN framework
    repeats some indicators under several goals): a text about what the indicator counts is evidence
    for those goals alike.
    """

    target: str
    goal: str
    indicator: str | None
    kind: str  # "custodian" (ITU is the custodian agency), "ict_target" or "itu_priority" (an ITU-D mandate)
    indicator_text: str
    terms: tuple[str, ...]
    shares: tuple[str, ...] = ()
    line: str | None = None  # the WSIS line of what the terms name (9.c's networks and spectrum: C2)
    objective: str | None = None  # the GDC objective the guide gives what the terms name (access, skills: 1)


@cache
def custodian_targets() -> tuple[CustodianTarget, ...]:
    """The custodian-indicator view's data (``custodian.json``, sources in its ``source`` field)."""
    raw = json.loads(resources.files(__name__).joinpath("custodian.json").read_text(encoding="utf-8"))
    return tuple(
        CustodianTarget(
            str(t["target"]),
            str(t["goal"]),
            t["indicator"],
            str(t["kind"]),
            str(t["indicator_text"]),
            tuple(str(x) for x in t["terms"]),
            tuple(str(x) for x in t.get("shares", ())),
            t.get("line"),
            t.get("objective"),
        )
        for t in raw["targets"]
    )


@dataclass(frozen=True)
class WsisApplication:
    """A use of ICT that a WSIS action line names (e-health ...), its line, and the one goal it serves.

    ``goal`` is None for a use whose goals another view already gives (disaster monitoring and early
    warning: the custodian view's 11.b / 13.1): the entry then names only its line.
    """

    application: str
    line: str
    goal: str | None
    rule: str  # the labelling guide's rule that gives the goal or the line (data/indomain/guide.md)
    terms: tuple[str, ...]
    objective: str | None = None  # the GDC objective the guide gives the use (ICT for the SDGs: 1)


@cache
def wsis_applications() -> tuple[WsisApplication, ...]:
    """The application view's data (``wsis.json`` ``applications``, sources in ``applications_source``)."""
    return tuple(
        WsisApplication(
            str(a["application"]),
            str(a["line"]),
            None if a["goal"] is None else str(a["goal"]),
            str(a["rule"]),
            tuple(a["terms"]),
            a.get("objective"),
        )
        for a in _raw("WSIS")["applications"]
    )
