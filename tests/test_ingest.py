"""The bundled WTDC-25 coordination report parses to exactly what it says."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from rihub.errors import InputError
from rihub.ingest import parse_bytes, parse_file
from rihub.ingest.meetings import parse_dates, when_where
from rihub.ingest.people import split_person
from rihub.ingest.regions import region_of_heading
from rihub.model import Outline


def by_code(outline: Outline) -> dict[str, object]:
    return {i.code: i for i in outline.initiatives}


def test_conference_is_read_from_the_introduction(outline: Outline) -> None:
    assert outline.conference is not None
    assert outline.conference.code == "WTDC-25"
    assert (outline.conference.city, outline.conference.country) == ("Baku", "Azerbaijan")
    assert outline.conference.start_date == dt.date(2025, 11, 17)
    assert outline.conference.end_date == dt.date(2025, 11, 28)


def test_six_meetings_with_iso_dates_and_venues(outline: Outline) -> None:
    got = {m.region: (m.start_date, m.end_date, m.city, m.country) for m in outline.meetings}
    assert got == {
        "ARB": (dt.date(2025, 2, 4), dt.date(2025, 2, 5), "Amman", "Jordan"),
        "EUR": (dt.date(2025, 2, 25), dt.date(2025, 2, 26), "Budapest", "Hungary"),
        "ASP": (dt.date(2025, 3, 20), dt.date(2025, 3, 21), "Bangkok", "Thailand"),
        "AMS": (dt.date(2025, 4, 1), dt.date(2025, 4, 2), "Asuncion", "Paraguay"),
        "AFR": (dt.date(2025, 4, 8), dt.date(2025, 4, 9), "Nairobi", "Kenya"),
        "CIS": (dt.date(2025, 4, 24), dt.date(2025, 4, 25), "Bishkek", "Kyrgyzstan"),
    }
    # The odd narrow space after "Report" in the CIS row is normalised away.
    assert {m.report_label for m in outline.meetings} == {"Report"}
    assert {m.video_label for m in outline.meetings} == {"Video"}


def test_officers(outline: Outline) -> None:
    officers = [(m.region, o) for m in outline.meetings for o in m.officers]
    assert len(officers) == 25
    assert Counter(o.role for _, o in officers) == {"chair": 6, "vice-chair": 19}
    chairs = {region: (o.honorific, o.name, o.country) for region, o in officers if o.role == "chair"}
    assert chairs["ARB"] == ("H.E. Dr", "Nooh Alshyab", None)  # the text gives no country: none invented
    assert chairs["EUR"] == ("Dr", "Péter Vári", "Hungary")
    assert chairs["AFR"] == ("Mr", "David Mugonyi", "Kenya")  # "Mr. Mr" in the source
    assert chairs["CIS"] == ("H.E. Mr", "Azamat Zhamangulov", "Kyrgyz Republic")
    vice = {o.name: o.country for _, o in officers if o.role == "vice-chair"}
    assert vice["Muath S. Alrumayh"] == "Kingdom of Saudi Arabia"
    assert vice["Abdulla Bin Khadiya"] == "United Arab Emirates (UAE)"
    assert vice["Kim Mallalieu"] == "Trinidad and Tobago"
    assert vice["Milan B. Radulović"] == "Montenegro"
    assert vice["Jahongir Shukurov"] == "Republic of Uzbekistan"
    per_region = Counter(region for region, o in officers if o.role == "vice-chair")
    assert per_region == {"ARB": 4, "EUR": 3, "ASP": 3, "AMS": 3, "AFR": 4, "CIS": 2}


def test_documents_reviewed_in_order(outline: Outline) -> None:
    for meeting in outline.meetings:
        assert [d.number for d in meeting.documents_reviewed] == [2, 3, 4, 8, 5, 7, 6]
    eur = next(m for m in outline.meetings if m.region == "EUR")
    assert eur.documents_reviewed[1].description == "the state of digital development and trends in Europe"
    assert sum(len(m.documents_reviewed) for m in outline.meetings) == 42
    assert all(m.contributions and "contributions from Membership" in m.contributions for m in outline.meetings)


def test_arab_states_priorities(outline: Outline) -> None:
    priorities = [i for i in outline.initiatives if i.kind == "priority"]
    assert [p.code for p in priorities] == [f"ARB{n}" for n in range(1, 7)]
    assert priorities[4].title == "Advancing Cyber Resilience in the Arab World"
    assert all(not p.expected_results for p in priorities)


def test_coded_initiatives_and_expected_results(outline: Outline) -> None:
    coded = [i for i in outline.initiatives if i.kind == "initiative"]
    assert [i.code for i in coded] == [f"{r}{n}" for r in ("EUR", "ASP", "AMS", "AFR", "CIS") for n in range(1, 6)]
    assert outline.expected_result_count == 167
    counts = {i.code: len(i.expected_results) for i in coded}
    assert (counts["AFR1"], counts["ASP5"], counts["CIS1"], counts["AMS4"]) == (17, 10, 3, 4)
    for initiative in coded:
        assert [r.number for r in initiative.expected_results] == list(range(1, len(initiative.expected_results) + 1))


def test_titles_and_objectives_in_each_layout(outline: Outline) -> None:
    items = by_code(outline)
    eur1 = items["EUR1"]
    assert eur1.title == "Digital infrastructure development"  # type: ignore[attr-defined]
    assert eur1.objective.startswith("Objective of this initiative is to facilitate")  # type: ignore[attr-defined]
    assert eur1.results_lead_in == "Assistance to the countries in need in the following areas:"  # type: ignore[attr-defined]
    asp5 = items["ASP5"]
    assert asp5.objective.startswith("To assist Member States in developing and maintaining")  # type: ignore[attr-defined]
    cis1 = items["CIS1"]
    assert cis1.objective_kind == "rationale"  # type: ignore[attr-defined]
    assert cis1.objective.startswith("The need to bridge the digital divide")  # type: ignore[attr-defined]
    eur4 = items["EUR4"]
    assert eur4.title == (  # type: ignore[attr-defined]
        "Trust and confidence in the use of telecommunications/ information and communication technologies"
    )


def test_sub_items_and_footnotes(outline: Outline) -> None:
    items = by_code(outline)
    ams4 = items["AMS4"]
    first = ams4.expected_results[0]  # type: ignore[attr-defined]
    assert [s.label for s in first.sub_items] == ["a", "b"]
    assert first.sub_items[0].text.startswith("The development of national cybersecurity strategies")
    assert first.text.endswith("support for:")
    ams1 = items["AMS1"]
    result = ams1.expected_results[0]  # type: ignore[attr-defined]
    assert "[footnote" not in result.text and "[1:" not in result.text
    assert result.text.endswith("including access to spectrum and high-speed networks.")
    assert len(result.footnotes) == 1
    assert result.footnotes[0].text.startswith("These include the least developed countries")


def test_document_alignment_tables(outline: Outline) -> None:
    items = by_code(outline)

    def codes(code: str, framework: str) -> list[str]:
        return [a.code for a in items[code].alignments if a.framework == framework]  # type: ignore[attr-defined]

    assert codes("EUR1", "WSIS") == ["C1", "C2", "C6", "C11"]
    assert codes("EUR2", "GDC") == ["4", "5"]  # one cell holding two objectives
    assert codes("EUR2", "SDG") == ["2", "3", "4", "9", "11"]  # "SDG 11" with a space
    assert codes("EUR5", "WSIS") == ["C1", "C4", "C5", "C7", "C6", "C11"]  # kept in the source's order
    assert codes("EUR4", "SDG") == ["9", "16"]
    assert all(not i.alignments for i in outline.initiatives if i.region != "EUR")


def test_every_row_points_back_to_its_source_lines(outline: Outline, report_text: str) -> None:
    lines = report_text.split("\n")
    for initiative in outline.initiatives:
        for result in initiative.expected_results:
            source_line = lines[result.span.start - 1]
            assert result.text[:40] in source_line.replace("\u00a0", " ").replace("  ", " ")


def test_parse_is_fast(report_text: str) -> None:
    data = report_text.encode()
    start = time.perf_counter()
    parse_bytes(data, "report.txt")
    # A generous ceiling only to catch pathological regressions; bench/ingest.py measures.
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("4-5 February", dt.date(2025, 2, 4), dt.date(2025, 2, 5)),
        ("28 February - 1 March", dt.date(2025, 2, 28), dt.date(2025, 3, 1)),
        ("24–25 April 2024", dt.date(2024, 4, 24), dt.date(2024, 4, 25)),
        ("9 Sept.", dt.date(2025, 9, 9), dt.date(2025, 9, 9)),
    ],
)
def test_meeting_dates(text: str, start: dt.date, end: dt.date) -> None:
    assert parse_dates(text, 2025) == (start, end)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("H.E Dr. Nooh Alshyab", ("H.E. Dr", "Nooh Alshyab", None)),
        ("Mr. Mr David Mugonyi from Kenya,", ("Mr", "David Mugonyi", "Kenya")),
        ("Ms Inga Rimkevičienė from Lithuania", ("Ms", "Inga Rimkevičienė", "Lithuania")),
        ("Mr Ahmed Said, Republic of Egypt.", ("Mr", "Ahmed Said", "Republic of Egypt")),
        ("Prof. Ana Silva", ("Prof", "Ana Silva", None)),
    ],
)
def test_person_phrases(phrase: str, expected: tuple[str | None, str, str | None]) -> None:
    assert split_person(phrase) == expected


SINGLE_REGION_REPORT = """REPORT OF THE REGIONAL PREPARATORY MEETING FOR EUROPE (RPM-EUR)
The Regional Preparatory Meeting for Europe for the World Telecommunication Development Conference 2021 (WTDC-21) \
was held from 26 to 27 January 2021 in Geneva, Switzerland.
EUROPE REGION
Ms Jane Doe from Sweden was elected as the Chair of RPM-EUR. The meeting also endorsed the proposal for two \
Vice-Chairs: Mr John Roe from Italy and Dr Ann Poe from Latvia.
RPM-EUR reviewed several documents, including:
- Document 2 on the implementation of the Buenos Aires Action Plan,
- Document 5 on the state of digital development.
The meeting discussed and took note of contributions from Membership on broadband and cybersecurity.
RPM-EUR adopted the following Regional Initiatives:
EUR 1 - Broadband for all
Objective:
To help countries deploy broadband networks.
Expected results
1) National broadband plans.
2) Spectrum management capacity:
  a) training for regulators;
  b) spectrum monitoring tools.
EUR 2 - Trust online
Objectives: To build confidence and security in the use of ICTs.
Expected Results:
- National cybersecurity strategies.
- CIRT establishment.
"""


def test_a_single_region_report_in_another_layout() -> None:
    """Another member of the family: one region, venue in prose, other code and list layouts."""
    outline = parse_bytes(SINGLE_REGION_REPORT.encode(), "rpm-eur-2021.txt")
    assert outline.conference is not None and outline.conference.code == "WTDC-21"
    assert outline.conference.start_date is None  # the dates given are the RPM's, not the conference's
    (meeting,) = outline.meetings
    assert (meeting.region, meeting.start_date, meeting.end_date, meeting.city, meeting.country) == (
        "EUR",
        dt.date(2021, 1, 26),
        dt.date(2021, 1, 27),
        "Geneva",
        "Switzerland",
    )
    assert [(o.role, o.name, o.country) for o in meeting.officers] == [
        ("chair", "Jane Doe", "Sweden"),
        ("vice-chair", "John Roe", "Italy"),
        ("vice-chair", "Ann Poe", "Latvia"),
    ]
    assert [d.number for d in meeting.documents_reviewed] == [2, 5]
    eur1, eur2 = outline.initiatives
    assert (eur1.code, eur1.title, eur1.stage, eur1.objective) == (
        "EUR1",
        "Broadband for all",
        "draft",  # an RPM's own outcome is a draft for WTDC, even when the RPM "adopted" it
        "To help countries deploy broadband networks.",
    )
    assert [r.number for r in eur1.expected_results] == [1, 2]
    assert [s.label for s in eur1.expected_results[1].sub_items] == ["a", "b"]
    assert [r.text for r in eur2.expected_results] == ["National cybersecurity strategies.", "CIRT establishment."]
    assert outline.source.key == "WTDC-21:EUR"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "was held from 26 to 27 January 2021 in Geneva, Switzerland.",
            ((2021, 1, 26), (2021, 1, 27), "Geneva", "Switzerland"),
        ),
        ("was held in Amman (Jordan) on 4 and 5 February 2025.", ((2025, 2, 4), (2025, 2, 5), "Amman", "Jordan")),
        (
            "was held on January 26-27, 2021, in Geneva, Switzerland.",
            ((2021, 1, 26), (2021, 1, 27), "Geneva", "Switzerland"),
        ),
        ("took place from 28 February to 1 March 2025", ((2025, 2, 28), (2025, 3, 1), None, None)),
        (
            "was held in Bishkek, Kyrgyzstan, from April 24 to 25, 2025.",
            ((2025, 4, 24), (2025, 4, 25), "Bishkek", "Kyrgyzstan"),
        ),
    ],
)
def test_when_and_where_in_prose(text: str, expected: tuple[Any, ...]) -> None:
    start, end, city, country = expected
    assert when_where(text) == (dt.date(*start), dt.date(*end), city, country)


def test_words_that_only_look_like_dates_are_not_dates() -> None:
    assert when_where("Resolution 31 may be applied by 2025 in Geneva, Switzerland.") is None
    assert parse_dates("12 Marketing", 2025) == (None, None)
    assert parse_dates("4-5 February", 2025) == (dt.date(2025, 2, 4), dt.date(2025, 2, 5))
    assert parse_dates("February 28 - March 1", 2025) == (dt.date(2025, 2, 28), dt.date(2025, 3, 1))


ELECTION_LAYOUTS = {
    "sentence, from": (
        "Ms Jane Doe from Sweden was elected as the Chair of RPM-EUR. The meeting also endorsed the proposal "
        "for two Vice-Chairs: Mr John Roe from Italy and Dr Ann Poe from Latvia."
    ),
    "elected ... as Chair": (
        "The meeting elected Ms Jane Doe (Sweden) as Chair and Mr John Roe (Italy) and Dr Ann Poe (Latvia) "
        "as Vice-Chairs."
    ),
    "labelled lines": "Chair: Ms Jane Doe (Sweden)\nVice-Chairs: Mr John Roe (Italy), Dr Ann Poe (Latvia)",
}


@pytest.mark.parametrize("layout", list(ELECTION_LAYOUTS))
def test_officers_in_other_layouts(layout: str) -> None:
    start = SINGLE_REGION_REPORT.index("Ms Jane Doe")
    end = SINGLE_REGION_REPORT.index("\nRPM-EUR reviewed several")
    text = SINGLE_REGION_REPORT[:start] + ELECTION_LAYOUTS[layout] + SINGLE_REGION_REPORT[end:]
    (meeting,) = parse_bytes(text.encode(), "rpm-eur.txt").meetings
    assert [(o.role, o.honorific, o.name, o.country) for o in meeting.officers] == [
        ("chair", "Ms", "Jane Doe", "Sweden"),
        ("vice-chair", "Mr", "John Roe", "Italy"),
        ("vice-chair", "Dr", "Ann Poe", "Latvia"),
    ]


def test_a_bracketed_country_may_itself_hold_brackets() -> None:
    assert split_person("Mr A. Khadiya (United Arab Emirates (UAE))") == (
        "Mr",
        "A. Khadiya",
        "United Arab Emirates (UAE)",
    )
    assert split_person("Mr Abdulla Bin Khadiya, United Arab Emirates (UAE)") == (
        "Mr",
        "Abdulla Bin Khadiya",
        "United Arab Emirates (UAE)",
    )


@pytest.mark.parametrize(
    ("heading", "region"),
    [
        ("2.1 RPM for the Arab States (RPM-ARB)", "ARB"),
        ("Regional Preparatory Meeting for Africa (RPM-AFR)", "AFR"),
        ("2.6 CIS Region", "CIS"),
        ("2.3 Asia and Pacific Region", "ASP"),
        ("Annex 3: Regional Initiatives for Europe", "EUR"),
        ("EUROPE REGION", "EUR"),
        ("Arab States (RPM-EUR)", None),  # another region's code: not a heading
        ("RPM-CIS", None),  # a bare code is a table cell as often as a heading
        ("RPM-EUR reviewed all input documents", None),
        ("Europe and Africa", None),
    ],
)
def test_region_headings(heading: str, region: str | None) -> None:
    assert region_of_heading(heading) == region


def test_documents_numbered_in_the_meetings_own_series() -> None:
    """Real RPM reports cite "Document RPM-EUR21/2"; the number is the one after the slash."""
    text = SINGLE_REGION_REPORT.replace("- Document 2 on", "- Document RPM-EUR21/2 – on").replace(
        "- Document 5 on", "- Doc. RPM-EUR/5: on"
    )
    assert "RPM-EUR21/2" in text and "RPM-EUR/5" in text
    (meeting,) = parse_bytes(text.encode(), "rpm-eur.txt").meetings
    assert [(d.number, d.description) for d in meeting.documents_reviewed] == [
        (2, "the implementation of the Buenos Aires Action Plan"),
        (5, "the state of digital development"),
    ]


def test_a_single_rpm_report_needs_no_region_heading() -> None:
    """The report of one RPM is about its region throughout: its RPM references and codes say which."""
    with_heading = parse_bytes(SINGLE_REGION_REPORT.encode(), "rpm-eur.txt")
    without = parse_bytes(SINGLE_REGION_REPORT.replace("EUROPE REGION\n", "").encode(), "rpm-eur.txt")

    def facts(outline: Outline) -> list[Any]:
        return [
            [(m.region, m.start_date, m.city, m.officers and [o.name for o in m.officers]) for m in outline.meetings],
            [(i.code, i.title, i.objective, [r.text for r in i.expected_results]) for i in outline.initiatives],
            outline.source.key,
        ]

    assert facts(without) == facts(with_heading)
    mixed = SINGLE_REGION_REPORT.replace("EUROPE REGION\n", "").replace("EUR 2 - Trust online", "AFR 2 - Trust online")
    mixed = mixed.replace("RPM-EUR", "RPM-AFR", 2)  # as many AFR as EUR clues: no single region to assume
    with pytest.raises(InputError, match="no regional initiatives"):
        parse_bytes(mixed.encode(), "mixed.txt")


# The final report of one RPM, laid out as such reports are: numbered report sections, officers and
# venue in numbered paragraphs, the initiatives in one section followed by more report sections.
RPM_REPORT = """Regional Preparatory Meeting for the Americas (RPM-AMS)
Asunción, Paraguay, 1-2 April 2025
Final Report
1 Opening of the meeting
1.1 The Regional Preparatory Meeting for the Americas (RPM-AMS) for the World Telecommunication Development \
Conference 2025 (WTDC-25) was held in Asunción, Paraguay, from 1 to 2 April 2025, at the kind invitation of \
the Government of Paraguay.
2 Election of the Chair and Vice-Chairs
2.1 The meeting elected Mr. Fernando Machuca Manevy (Paraguay) as Chair of the meeting.
2.2 The following Vice-Chairs were elected: Dr Kim Mallalieu (Trinidad and Tobago), Mr Roberto Hirayama \
(Brazil) and Mr Juan Carlos Castro (El Salvador).
3 Adoption of the agenda
3.1 The meeting adopted the agenda as contained in Document 1.
4 Documents
4.1 The meeting considered the following documents:
- Document 2 on the implementation of the Kigali Action Plan;
- Document 3 on the state of digital development in the Americas;
- Document 5 on the work of the TDAG Working Group on Future Study Group Questions.
5 Regional Initiatives
5.1 The meeting agreed on the following draft Regional Initiatives for the Americas region:
AMS1: Deployment of modern, secure and resilient telecommunication/ICT infrastructure
Objective: To assist Member States in the deployment of resilient broadband networks.
Expected results:
1. Assistance in the design of national broadband plans.
2. Capacity building on spectrum management.
AMS2: Digital inclusion
Objective: To promote digital inclusion of persons with disabilities, women and girls.
Expected results:
1. Accessibility policies and guidelines.
2. Digital skills programmes for women and girls.
6 Closing of the meeting
6.1 The Chair closed the meeting at 17:00 hours on 2 April 2025.
"""


def test_the_final_report_of_one_rpm() -> None:
    outline = parse_bytes(RPM_REPORT.encode(), "rpm-ams-2025.txt")
    (meeting,) = outline.meetings
    assert (meeting.region, meeting.start_date, meeting.end_date, meeting.city, meeting.country) == (
        "AMS",
        dt.date(2025, 4, 1),
        dt.date(2025, 4, 2),
        "Asunción",
        "Paraguay",
    )
    assert [(o.role, o.name, o.country) for o in meeting.officers] == [
        ("chair", "Fernando Machuca Manevy", "Paraguay"),
        ("vice-chair", "Kim Mallalieu", "Trinidad and Tobago"),
        ("vice-chair", "Roberto Hirayama", "Brazil"),
        ("vice-chair", "Juan Carlos Castro", "El Salvador"),
    ]
    assert [d.number for d in meeting.documents_reviewed] == [2, 3, 5]
    assert [(i.code, [r.text for r in i.expected_results]) for i in outline.initiatives] == [
        (
            "AMS1",
            ["Assistance in the design of national broadband plans.", "Capacity building on spectrum management."],
        ),
        ("AMS2", ["Accessibility policies and guidelines.", "Digital skills programmes for women and girls."]),
    ]  # "6 Closing of the meeting" and "6.1 The Chair closed …" end the initiatives
    assert outline.source.key == "WTDC-25:AMS"


@pytest.mark.parametrize("title_style", ["Title", "Heading 1", "Normal"])
def test_the_final_report_of_one_rpm_in_word(title_style: str, tmp_path: Path) -> None:
    """In Word the report's own parts are Heading 1, like the title that names the region: they
    must not close the region's section before its initiatives."""
    import docx

    document = docx.Document()
    for index, line in enumerate(RPM_REPORT.strip().split("\n")):
        if index == 0:
            document.add_paragraph(line, style=title_style)
        elif re.match(r"^\d \S", line):
            document.add_heading(line, level=1)
        elif re.match(r"^AMS\d:", line):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    path = tmp_path / "rpm-ams.docx"
    document.save(str(path))
    from_word, from_text = parse_file(path), parse_bytes(RPM_REPORT.encode(), "rpm-ams-2025.txt")

    def facts(outline: Outline) -> list[Any]:
        (meeting,) = outline.meetings
        return [
            (meeting.region, meeting.start_date, meeting.city, [o.name for o in meeting.officers]),
            [d.number for d in meeting.documents_reviewed],
            [(i.code, i.title, i.objective, [r.text for r in i.expected_results]) for i in outline.initiatives],
        ]

    assert facts(from_word) == facts(from_text)
