"""Write a large valid workspace: 40 years of a Gasp, 60 proposals a year (about 3,400 files).

Usage: python benchmarks/generate.py [FOLDER]   (default: benchmarks/workspace)
Every proposal is raised by the agents or the usagers, discussed by the other group,
decided by the référents in December; one deferred or put to study comes back to the
référents in June of the next year, as in the article, and is validated or rejected there;
the validated ones get milestones. The result validates with no error and no warning.
"""

from __future__ import annotations

import datetime
import random
import shutil
import sys
from pathlib import Path

FIRST_YEAR = 1980
YEARS = 40
PROPOSALS_PER_YEAR = 60
PEOPLE = 120
SERVICES = 20
THEMES = 20

AGENT_MONTHS = [1, 2, 3, 4, 5, 6, 9, 10, 11, 12]
USAGERS_MONTHS = [3, 6, 9, 12]


def nth_weekday(year: int, month: int, weekday: int, week: int) -> datetime.date:
    day = datetime.date(year, month, 1)
    day += datetime.timedelta(days=(weekday - day.weekday()) % 7)
    return day + datetime.timedelta(weeks=week - 1)


def write(root: Path, relative: str, text: str) -> None:
    path = root / "records" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: Path, years: int = YEARS, proposals_per_year: int = PROPOSALS_PER_YEAR) -> int:
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(2000)
    last_day = datetime.date(FIRST_YEAR + years - 1, 12, 31)
    write(
        root,
        "gasp.yaml",
        f"""name: Gasp de référence
communes: [Escautpont, Bruay-sur-l'Escaut]
created: {FIRST_YEAR}-01-01
places:
  maison:
    name: Maison des services publics
    address: 1 place de la Mairie, 59860 Bruay-sur-l'Escaut
sociologist: personne-0
secretary: personne-1
as_of: {last_day.isoformat()}
""",
    )
    for i in range(SERVICES):
        write(
            root,
            f"services/service-{i}.yaml",
            f"""name: Service {i}
institution: Institution {i % 5}
category: Rubrique {i % 4}
public:
  description: Le service numéro {i}, décrit en quelques phrases pour les usagers.
  tasks: [Accueil, Orientation, Instruction des demandes]
  procedures: [Prendre rendez-vous, Déposer un dossier]
  address: {i} rue des Services, 59860 Bruay-sur-l'Escaut
  hours: Du lundi au vendredi, 9 h – 12 h
  phone: 03 27 00 00 {i:02d}
agents:
  contact: personne-{i + 2}
  direct_phone: 03 27 00 01 {i:02d}
  referral: Orienter ici les demandes de la rubrique {i % 4}.
""",
        )
    kinds = ["facilitator", "facilitator"] + ["agent"] * 58 + ["resident"] * 40 + ["head"] * 15 + ["elected"] * 5
    for i, kind in enumerate(kinds[:PEOPLE]):
        name = "" if kind == "resident" else f"name: Personne {i}\n"
        service = f"service: service-{i % SERVICES}\n" if kind in ("agent", "head") else ""
        write(root, f"people/personne-{i}.yaml", f"{name}kind: {kind}\nrole: Rôle {i}\n{service}")
    for i in range(THEMES):
        write(root, f"themes/theme-{i}.yaml", f"title: Thème {i}\ndescription: Ce que recouvre le thème {i}.\n")

    agents = [i for i, k in enumerate(kinds) if k == "agent"]
    residents = [i for i, k in enumerate(kinds) if k == "resident"]
    referents = [i for i, k in enumerate(kinds) if k in ("head", "elected")]
    groups = {
        "agents": ("agents", "monthly", 1, 2, "skip_months: [7, 8]", agents),
        "usagers": ("usagers", "quarterly", 3, 2, "months: [3, 6, 9, 12]", residents),
        "referents": ("referents", "semiannual", 4, 3, "months: [6, 12]", referents),
        "intergroupes": ("intergroupes", "annual", 3, -1, "months: [12]", []),
    }
    for gid, (kind, frequency, weekday, week, months, members) in groups.items():
        lines = "\n".join(f"  - {{person: personne-{p}, since: {FIRST_YEAR}-01-01}}" for p in [0, 1, *members])
        day = ["monday", "tuesday", "wednesday", "thursday", "friday"][weekday]
        write(
            root,
            f"groups/{gid}.yaml",
            f"""name: Groupe {gid}
kind: {kind}
cadence:
  frequency: {frequency}
  weekday: {day}
  week: {week}
  {months}
  time: "14:00"
  duration: 120
  place: maison
members:
{lines}
""",
        )

    # Deferred or studied in December: decided again in June of the next year (year → decisions).
    decided_in_june: dict[int, list[tuple[str, str]]] = {}
    for year in range(FIRST_YEAR, FIRST_YEAR + years):
        agents_days = [nth_weekday(year, m, 1, 2) for m in AGENT_MONTHS]
        usagers_days = [nth_weekday(year, m, 3, 2) for m in USAGERS_MONTHS]
        # Decisions in December, after every raising and discussion of the year.
        referents_day = nth_weekday(year, 12, 4, 3)
        meetings: dict[tuple[str, datetime.date], dict] = {}
        for day in agents_days:
            meetings[("agents", day)] = {"attendees": agents[:20], "proposals": [], "decisions": []}
        for day in usagers_days:
            meetings[("usagers", day)] = {"attendees": residents[:12], "proposals": [], "decisions": []}
        meetings[("referents", nth_weekday(year, 6, 4, 3))] = {
            "attendees": referents,
            "proposals": [],
            "decisions": decided_in_june.pop(year, []),
        }
        meetings[("referents", referents_day)] = {"attendees": referents, "proposals": [], "decisions": []}
        intergroupes_day = nth_weekday(year, 12, 3, 4)
        meetings[("intergroupes", intergroupes_day)] = {
            "attendees": [0, 1, *referents[:5]],
            "proposals": [],
            "decisions": [],
        }
        for n in range(proposals_per_year):
            pid = f"p{year}-{n:03d}"
            raised_in = ("agents", agents_days[n % 8]) if n % 3 else ("usagers", usagers_days[n % 3])
            discussed_in = (
                ("agents", agents_days[8 + n % 2]) if raised_in[0] == "usagers" else ("usagers", usagers_days[3])
            )
            if discussed_in[1] <= raised_in[1]:
                discussed_in = ("agents", agents_days[9])
            meetings[raised_in]["proposals"].append((pid, "raised"))
            meetings[discussed_in]["proposals"].append((pid, "discussed"))
            outcome = rng.choice(["validated", "validated", "rejected", "deferred", "study"])
            meetings[("referents", referents_day)]["decisions"].append((pid, outcome))
            validated_on = referents_day if outcome == "validated" else None
            if outcome in ("deferred", "study") and year + 1 < FIRST_YEAR + years:
                again = rng.choice(["validated", "rejected"])
                decided_in_june.setdefault(year + 1, []).append((pid, again))
                if again == "validated":
                    validated_on = nth_weekday(year + 1, 6, 4, 3)
            milestones = ""
            if validated_on is not None:
                start = validated_on + datetime.timedelta(days=20)
                milestones = (
                    f"milestones:\n  - {{date: {start.isoformat()}, status: in-progress, note: Début.}}\n"
                    f"  - {{date: {(start + datetime.timedelta(days=90)).isoformat()}, status: done, note: Fait.}}\n"
                )
            write(
                root,
                f"proposals/{pid}.yaml",
                f"""title: Proposition {n} de {year}
theme: theme-{n % THEMES}
summary: Une proposition écrite pour mesurer la vitesse de gasp validate.
cost: {1000 + n * 10}
funding:
  - {{source: politique de la ville, share: 100}}
{milestones}""",
            )
        for (gid, day), content in meetings.items():
            proposals = "".join(
                f"  - {{proposal: {p}, event: {e}, note: Discutée en séance.}}\n" for p, e in content["proposals"]
            )
            decisions = "".join(f"  - {{proposal: {p}, outcome: {o}}}\n" for p, o in content["decisions"])
            attendees = "\n".join(f"  - personne-{p}" for p in content["attendees"])
            write(
                root,
                f"meetings/{year}/{day.isoformat()}-{gid}.yaml",
                f"""group: {gid}
date: {day.isoformat()}
status: held
attendees:
{attendees}
problems_raised:
  - {{theme: theme-{day.month}, note: Un problème évoqué au tour de table.}}
  - {{note: Un autre problème sans thème.}}
topic: theme-{day.month}
discussion: >-
  Le groupe a discuté longuement du sujet retenu, en reprenant les remarques
  des autres groupes et en préparant ses propositions.
{"proposals:" + chr(10) + proposals if proposals else ""}{"decisions:" + chr(10) + decisions if decisions else ""}actions:
  - {{what: Faire le compte rendu, who: personne-1, due: {day.isoformat()}, done: true}}
""",
            )
    return sum(1 for _ in (root / "records").rglob("*.yaml"))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "workspace"
    print(f"{generate(target)} fichiers écrits dans {target}")
