"""A plausible next-cycle copy of an RPM coordination report, and the changes it was made with.

The diff engine is tested against this: the generator edits the report's text (the WTDC-25 cycle
becomes WTDC-29, two titles change, a result is added to one initiative and the last one removed
from another, two adjacent results of a third swap places, one initiative gets a new code) and
records what it did. Like ``variants.py`` it works with simple line rules of this report family's
text export and never with rihub's parser, so the record is not the parser's opinion.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from rihub.analysis.diff import InitiativeChangeJSON, InitiativesJSON, MoveJSON

CODE = re.compile(r"^(?P<region>ARB|EUR|ASP|AMS|AFR|CIS)(?P<number>\d{1,2}):\s*(?P<rest>.*)$")
NUMBERED = re.compile(r"^(?P<number>\d{1,2})\.\s+(?P<text>.*)$")
RESULTS_HEADER = re.compile(r"^Expected results?\b", re.IGNORECASE)
# What ends an initiative's list of results: the mapping table's lead-in, a report section
# ("2.4 The Americas Region"), or the next initiative.
RESULTS_END = re.compile(r"^(?:Implementation of this Regional Initiative|\d+\.\d+\s+\S)")
INLINE_OBJECTIVE = ": Objective"

TITLE_ENDINGS = (" for all", " for sustainable development", " in the digital decade")
NEW_RESULTS = (
    "Support for national strategies on the environmentally sound management of e-waste from "
    "telecommunication/ICT equipment.",
    "Assistance in measuring the energy consumption of telecommunication/ICT networks and data centres, "
    "and in measures to reduce it.",
    "Sharing of good practices on the use of artificial intelligence by regulators to plan and manage spectrum.",
)
Edit = Callable[[list[str], int], None]  # applied to the report's lines at a line number
REWORDING = ", including through regional and international cooperation"


class ExpectedResults(TypedDict):
    added: list[str]
    removed: list[str]
    renumbered: list[MoveJSON]
    changed: list[str]


class ExpectedChanges(TypedDict):
    """``Diff.to_json()`` with each changed result given by its key instead of a redline."""

    initiatives: InitiativesJSON
    expected_results: ExpectedResults


@dataclass
class _Initiative:
    """An initiative found by line rules: its code line and each result's lines [start, end)."""

    region: str
    number: int
    line: int
    results: list[tuple[int, int]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return f"{self.region}{self.number}"


def find_initiatives(lines: list[str]) -> list[_Initiative]:
    found: list[_Initiative] = []
    in_results = False
    for index, line in enumerate(lines):
        code = CODE.match(line)
        if code:
            found.append(_Initiative(code.group("region"), int(code.group("number")), index))
            in_results = False
        elif found and RESULTS_HEADER.match(line):
            in_results = True
        elif in_results and RESULTS_END.match(line):
            in_results = False
        elif in_results and NUMBERED.match(line):
            found[-1].results.append((index, index + 1))
        elif in_results and found[-1].results:
            start, _ = found[-1].results[-1]
            found[-1].results[-1] = (start, index + 1)  # sub-items, footnote bodies, blank lines
    for initiative in found:
        if initiative.results:  # trailing blank lines are the gap before what follows, not the result
            start, end = initiative.results[-1]
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1
            initiative.results[-1] = (start, end)
    return found


def next_cycle_report(text: str, seed: int = 0, reword: bool = False) -> tuple[str, ExpectedChanges]:
    """The report as the next cycle might state it, and the changes made to it.

    ``seed`` picks the initiatives; ``reword`` also rewords one result of a seventh initiative
    (a result that the diff must report as changed). Edits are applied bottom-up, so the line
    numbers found before editing stay valid.
    """
    rng = random.Random(seed)
    lines = text.split("\n")
    initiatives = [i for i in find_initiatives(lines) if i.results]
    regions = sorted({i.region for i in initiatives})
    region = rng.choice(regions)
    renamed = [i for i in initiatives if i.region == region][-1]
    others = [i for i in initiatives if i is not renamed and len(i.results) >= 2]
    picked = rng.sample(others, 6)
    titled, grown, shrunk, swapped = picked[:2], picked[2], picked[3], picked[4]
    reworded = picked[5] if reword else None

    edits: dict[str, list[str]] = {}  # code → changed fields, in document order below
    added, removed, changed_results = [], [], []
    renumbered: list[MoveJSON] = []
    operations: list[tuple[int, Edit]] = []
    for initiative in titled:
        operations.append((initiative.line, _retitle(initiative, rng.choice(TITLE_ENDINGS))))
        edits.setdefault(initiative.code, []).append("title")
    start, end = grown.results[-1]
    operations.append((end, _insert(f"{len(grown.results) + 1}. {rng.choice(NEW_RESULTS)}")))
    added.append(f"{grown.code}.{len(grown.results) + 1}")
    start, end = shrunk.results[-1]
    operations.append((start, _delete(end - start)))
    removed.append(f"{shrunk.code}.{len(shrunk.results)}")
    k = rng.randrange(len(swapped.results) - 1)
    operations.append((swapped.results[k][0], _swap(swapped.results[k], swapped.results[k + 1])))
    first, second = f"{swapped.code}.{k + 1}", f"{swapped.code}.{k + 2}"
    renumbered += [{"from": first, "to": second}, {"from": second, "to": first}]
    if reworded is not None:
        n = rng.randrange(len(reworded.results))
        operations.append((reworded.results[n][0], _reword))
        changed_results.append(f"{reworded.code}.{n + 1}")
    for initiative in (grown, shrunk, swapped, *([reworded] if reworded else [])):
        edits.setdefault(initiative.code, []).append("expected_results")
    new_number = max(i.number for i in initiatives if i.region == renamed.region) + 1
    operations.append((renamed.line, _recode(renamed.code, f"{renamed.region}{new_number}")))

    for at, edit in sorted(operations, key=lambda op: op[0], reverse=True):
        edit(lines, at)
    order = [i.code for i in initiatives]
    expected: ExpectedChanges = {
        "initiatives": {
            "added": [],
            "removed": [],
            "renamed": [{"from": renamed.code, "to": f"{renamed.region}{new_number}"}],
            "changed": [_change(code, edits[code]) for code in order if code in edits],
        },
        "expected_results": {
            "added": _in_order(added, order),
            "removed": _in_order(removed, order),
            "renumbered": renumbered,
            "changed": changed_results,
        },
    }
    return next_cycle_name("\n".join(lines)), expected


def next_cycle_name(text: str) -> str:
    """WTDC-25 → WTDC-29 and 2025 → 2029: in this report every 2025 dates a meeting or the
    conference; earlier cycles ("WTDC-22 Kigali", "Rev. Kigali, 2022") keep their names."""
    text = re.sub(r"\bWTDC-25\b", "WTDC-29", text)
    return re.sub(r"\b2025\b", "2029", text)


def _change(code: str, fields: list[str]) -> InitiativeChangeJSON:
    canonical = ["title", "objective", "expected_results"]
    return {"code": code, "fields": [f for f in canonical if f in fields]}


def _in_order(keys: list[str], codes: list[str]) -> list[str]:
    return sorted(keys, key=lambda key: (codes.index(key.split(".")[0]), int(key.split(".")[1])))


def _retitle(initiative: _Initiative, ending: str) -> Edit:
    """Extend the title on the code line, before an inline "…: Objective of …" when there is one."""

    def edit(lines: list[str], at: int) -> None:
        line = lines[at]
        cut = line.find(INLINE_OBJECTIVE)
        cut = len(line.rstrip()) if cut < 0 else cut
        lines[at] = line[:cut] + ending + line[cut:]

    return edit


def _insert(line: str) -> Edit:
    def edit(lines: list[str], at: int) -> None:
        lines.insert(at, line)

    return edit


def _delete(count: int) -> Edit:
    def edit(lines: list[str], at: int) -> None:
        del lines[at : at + count]

    return edit


def _swap(first: tuple[int, int], second: tuple[int, int]) -> Edit:
    """Exchange two adjacent results' lines; each number stays where it was, so both texts move."""

    def edit(lines: list[str], at: int) -> None:
        a, b = lines[first[0] : first[1]], lines[second[0] : second[1]]
        number_a, number_b = NUMBERED.match(a[0]), NUMBERED.match(b[0])
        assert number_a and number_b
        a2 = [f"{number_a.group('number')}. {number_b.group('text')}", *b[1:]]
        b2 = [f"{number_b.group('number')}. {number_a.group('text')}", *a[1:]]
        lines[first[0] : second[1]] = a2 + b2

    return edit


def _reword(lines: list[str], at: int) -> None:
    """Add a clause before the result's closing stop (or semicolon)."""
    line = lines[at].rstrip()
    body, end = (line[:-1], line[-1]) if line[-1] in ".;" else (line, "")
    lines[at] = body + REWORDING + end


def _recode(old: str, new: str) -> Edit:
    def edit(lines: list[str], at: int) -> None:
        assert lines[at].startswith(old + ":")
        lines[at] = new + lines[at][len(old) :]

    return edit
