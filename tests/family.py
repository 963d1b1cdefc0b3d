"""Documents of the regional-initiative family other than the bundled report, written for the tests.

The layouts are those ITU uses for the initiatives adopted at each WTDC (regional-office web pages
copied as text, booklets of an action plan, implementation pages); the wording is invented here, so
each fixture also states what a reader must get from it (``EXPECTED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Expected:
    cycle: str | None
    region: str
    codes: list[str]
    titles: list[str]
    objectives: list[str | None]
    results: list[int]  # expected results per initiative
    achieved: list[int] = field(default_factory=list)  # achieved results per initiative
    derived: bool = False  # codes numbered under a region heading, not written out
    truncated: str | None = None  # the code whose last result was cut short


FURNITURE = ["Committed to connecting the world", "Home", "About ITU-D", "Regional Presence", "Join the Summit 2026"]

# --- 1. a regional page of WTDC-14: "EUR1 Title", "Objective:", "Assistance to … following:", 1) ----
WEB_PAGE = "\n".join(
    [
        *FURNITURE,
        "",
        "Newly adopted Regional Initiatives by the WTDC-14 held in Dubai, UAE, for the period 2014-2018 for EUR region",
        "",
        "EUR1 Radio spectrum planning and the move to digital television",
        "Objective: To help administrations plan the move from analogue to digital television and share the "
        "spectrum freed by it in a way that serves every country of the region.",
        "",
        "Assistance to the countries in need in the following:",
        "1) Planning of the switch-over from analogue to digital terrestrial television",
        "2) Training of spectrum managers, including for the bands freed by the switch-over",
        "3) Studies and guidelines on the economics of assigning radio frequencies.",
        "",
        "EUR2 Fast networks for every community",
        "Objective: Countries of the region differ widely in how far their fast networks reach; sharing "
        "practice and advice will help each of them to extend these networks where the market does not.",
        "",
        "Assistance to the countries in need in the following:",
        "1) New legal frameworks that favour network roll-out in remote areas",
        "2) National and local roll-out plans",
        "",
        "Share this page",
        "Contact the Regional Office",
    ]
)
WEB_PAGE_EXPECTED = Expected(
    cycle="WTDC-14",
    region="EUR",
    codes=["EUR1", "EUR2"],
    titles=["Radio spectrum planning and the move to digital television", "Fast networks for every community"],
    objectives=["To help administrations plan", "Countries of the region differ"],
    results=[3, 2],
)

# --- 2. a WTDC-22 implementation page: "RI 1: Title", the region only in the prose ------------------
RI_PAGE = "\n".join(
    [
        "Committed to connecting the world",
        "Regional Initiatives 2023-2025",
        "",
        "Implementation of the WTDC-22 Regional Initiatives (2023-2025 cycle)",
        "",
        "RI 1: Infrastructure for new technologies and the partnerships that bring them",
        "Objective: To help Member States and Sector Members in States members of the CIS introduce new "
        "networks and services while keeping the existing networks reliable.",
        "",
        "Expected results:",
        "  1. Recommendations on the introduction of new network technologies.",
        "  2. Test networks for the partnerships that introduce them.",
        "  3. Training of the staff of operators and regulators.",
        "",
        "RI 2: Trust and safety online",
        "Objective: To strengthen the capacity of the countries to protect users and networks.",
        "",
        "Expected results:",
        "  1. A regional exchange on incident response.",
        "  2. Guidance for the protection of children online.",
        "",
        "Regional Initiatives 2023-2025",
    ]
)
RI_PAGE_EXPECTED = Expected(
    cycle="WTDC-22",
    region="CIS",
    codes=["CIS1", "CIS2"],
    titles=["Infrastructure for new technologies and the partnerships that bring them", "Trust and safety online"],
    objectives=["To help Member States", "To strengthen the capacity"],
    results=[3, 2],
)

# --- 3. a WTDC-10 booklet: numbered initiatives under a heading, "Expected results:-", achieved results
NUMBERED_PAGE = "\n".join(
    [
        "WTDC-10 Regional Initiatives for Europe region",
        "",
        " 1. Help for the countries with economies in transition",
        "Objective: To support the administrations that most need it in regulation and network planning.",
        "Expected results:-",
        "• Reviews of the telecommunication laws of three countries;",
        "• A guide on network cost models.",
        "Achieved results",
        "• Two reviews of telecommunication law were delivered",
        "• A workshop on cost models was held for regulators",
        "• The guide was published",
        "",
        " 2. Broadband for all",
        "Expected results:-",
        "• National broadband plans;",
        "• A regional map of backbone networks;",
        "• Advice on sharing infrastructure.",
        "Training activities:",
        "• A course for planners was held twice a year",
        "",
        " 3. Digital broadcasting",
        "Objective: To help with the switch to digital television.",
        "Expected results:-",
        "• Switch-over plans;",
        "• A study of the digital divid",
    ]
)
NUMBERED_PAGE_EXPECTED = Expected(
    cycle="WTDC-10",
    region="EUR",
    codes=["EUR1", "EUR2", "EUR3"],
    titles=["Help for the countries with economies in transition", "Broadband for all", "Digital broadcasting"],
    objectives=["To support the administrations", None, "To help with the switch"],
    results=[2, 3, 2],
    achieved=[3, 0, 0],
    derived=True,
    truncated="EUR3",
)

# --- 4. an action-plan booklet: a contents page, "Objectives adopted by …", "Expected results adopted by …"
BOOKLET = "\n".join(
    [
        "Buenos Aires Action Plan",
        "Regional Initiatives for the Arab States",
        "Contents",
        "Regional Initiatives for the Arab States .......... 2",
        "ARB1: Protection of children online .......... 3",
        "ARB2: Digital skills for young people .......... 4",
        "Page 2",
        "Regional Initiatives for Arab States region",
        "ARB1: Protection of children online",
        "Objectives adopted by the WTDC-17: To help the countries protect children who use the Internet.",
        "Expected results adopted by WTDC-17",
        "1. A regional strategy for the protection of children online.",
        "2. Awareness campaigns in schools.",
        "Twinning programs between regulators of the region",
        "ARB2: Digital skills for young people",
        "Objectives adopted by the WTDC-17: To give young people the skills the digital economy asks for.",
        "Expected results adopted by WTDC-17",
        "1. Courses for young people in every country.",
        "2. A network of training centres.",
        "3. Fellowships for young women.",
    ]
)
BOOKLET_EXPECTED = Expected(
    cycle="WTDC-17",
    region="ARB",
    codes=["ARB1", "ARB2"],
    titles=["Protection of children online", "Digital skills for young people"],
    objectives=["To help the countries protect", "To give young people"],
    results=[2, 3],
)

# --- 5. "RI 1: Title" with the region only in the heading ------------------------------------------
RI_HEADING = "\n".join(
    [
        "WTDC-17 Regional Initiatives for the CIS region",
        "RI 1: Networks that reach every settlement",
        "Objective: To extend modern networks to the settlements they do not reach yet.",
        "Expected results:",
        "1. Plans for rural networks.",
        "2. Pilot networks in three countries.",
        "RI 2: Skills for the digital economy",
        "Expected results:",
        "1. Courses for teachers.",
    ]
)
RI_HEADING_EXPECTED = Expected(
    cycle="WTDC-17",
    region="CIS",
    codes=["CIS1", "CIS2"],
    titles=["Networks that reach every settlement", "Skills for the digital economy"],
    objectives=["To extend modern networks", None],
    results=[2, 1],
)

LAYOUTS: dict[str, tuple[str, Expected]] = {
    "web-page": (WEB_PAGE, WEB_PAGE_EXPECTED),
    "ri-page": (RI_PAGE, RI_PAGE_EXPECTED),
    "numbered": (NUMBERED_PAGE, NUMBERED_PAGE_EXPECTED),
    "booklet": (BOOKLET, BOOKLET_EXPECTED),
    "ri-heading": (RI_HEADING, RI_HEADING_EXPECTED),
}

# The conference a text names, each way the family writes it (a sentence before the initiatives).
CYCLE_PHRASES = {
    "The WTDC-14 adopted the initiatives below.": "WTDC-14",
    "WTDC-10 Regional Initiatives": "WTDC-10",
    "The initiatives below were adopted by the conference held in Dubai.": "WTDC-14",
    "The conference that met in Hyderabad in 2010 adopted the initiatives below.": "WTDC-10",
    "See Resolution 17 (Kigali, 2022) on regional initiatives.": "WTDC-22",
    "The initiatives below are part of the Buenos Aires Action Plan.": "WTDC-17",
    "The initiatives below are implemented in the 2023-2025 cycle.": "WTDC-22",
    "The initiatives below were agreed by the region.": None,
}
CYCLE_BODY = (
    "Regional Initiatives for Europe region\n"
    "EUR1: Open networks\nObjective: To open networks.\nExpected results:\n1. Open networks in every country."
)
