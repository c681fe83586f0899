"""Every fact shown by two outputs is the same in both (issue 21, « one truth »).

Hypothesis builds random valid workspaces: meetings of the four kinds of groups, proposals raised,
discussed, withdrawn, decided with every outcome (studies and deferrals before and after the
deadline), milestones, a commitment or none, a day to judge them on. The expected facts are
worked out here, from the generated events and the definitions of DESIGN.md (« Answered,
late »), without gasp's code; then each output must say them:

- `gasp validate` (its late-decision warnings), the dossier of the référents (late, to decide:
  the next one as of today and every held one as of its eve), the report JSON of every year
  (decided, awaiting, within the commitment, median delay, indicators), `indicators.csv` and
  `proposals.csv` of `gasp export`, the trace JSON (the list and each proposal's events), the
  suivi, the proposal pages and the residents' site (status).
"""

from __future__ import annotations

import csv
import datetime
import json
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import add_group, gasp, minimal_workspace, write

BASE = datetime.date(2020, 1, 6)
DECISIONS = ("validated", "rejected", "deferred", "study")
OPEN = {"raised", "discussed", "deferred", "study"}
UNANSWERED = {"raised", "discussed"}
RAISING = ("agents", "usagers", "intergroupes")
DECIDING = ("referents", "intergroupes")
MILESTONES = ("in-progress", "done", "abandoned")


@dataclass
class Step:
    day: datetime.date
    kind: str
    group: str | None  # None: a milestone


@dataclass
class Proposal:
    id: str
    theme: str
    steps: list[Step] = field(default_factory=list)

    def status_on(self, day: datetime.date) -> str | None:
        """DESIGN.md: the last event, a discussion changing only « raised »."""
        status = None
        for step in self.steps:
            if step.day > day:
                break
            if step.kind != "discussed" or status in (None, "raised"):
                status = step.kind
        return status

    @property
    def raised(self) -> Step | None:
        return self.steps[0] if self.steps else None

    @property
    def decisions(self) -> list[Step]:
        return [s for s in self.steps if s.kind in DECISIONS]

    def answer(self, day: datetime.date | None = None) -> Step | None:
        return next((s for s in self.decisions if day is None or s.day <= day), None)

    def late_by(self, day: datetime.date, within: int | None) -> int | None:
        raised = self.raised
        if within is None or raised is None or raised.day > day or self.status_on(day) not in UNANSWERED:
            return None
        late = (day - raised.day).days - within
        return late if late > 0 else None

    def to_decide(self, day: datetime.date) -> bool:
        return self.status_on(day) in OPEN


@dataclass
class Case:
    within: int | None
    proposals: list[Proposal]
    today: datetime.date
    archive: bool = False  # judged on gasp.yaml's as_of, not on GASP_TODAY


@st.composite
def cases(draw: st.DrawFn) -> Case:
    within = draw(st.sampled_from([None, 30, 99, 120]))
    proposals = []
    last = 0
    for index in range(draw(st.integers(1, 6))):
        proposal = Proposal(f"p{index}", draw(st.sampled_from(["accueil", "voirie"])))
        proposals.append(proposal)
        if draw(st.integers(0, 9)) == 0:
            continue  # not raised yet
        day = draw(st.integers(0, 700))
        proposal.steps.append(Step(BASE + datetime.timedelta(days=day), "raised", draw(st.sampled_from(RAISING))))
        status = "raised"
        gaps = (
            st.integers(1, 200)
            if within is None
            else st.one_of(st.integers(1, 200), st.sampled_from([within - 1, within, within + 1]))
        )
        for _ in range(draw(st.integers(0, 5))):
            if status in OPEN:
                choices = ["discussed", *DECISIONS, "withdrawn"]
            elif status in ("validated", "in-progress"):
                choices = ["discussed", *MILESTONES]
            else:
                choices = ["discussed"]
            kind = draw(st.sampled_from(choices))
            day += draw(gaps)
            if kind in DECISIONS:
                group: str | None = draw(st.sampled_from(DECIDING))
            elif kind in MILESTONES:
                group = None
            else:
                group = draw(st.sampled_from(RAISING))
            proposal.steps.append(Step(BASE + datetime.timedelta(days=day), kind, group))
            if kind != "discussed" or status == "raised":
                status = kind
        last = max(last, day)
    boundaries = [
        (p.raised.day - BASE).days + within + shift
        for p in proposals
        if p.raised is not None and within is not None
        for shift in (0, 1)
    ]
    later = draw(st.one_of(st.integers(0, 1100), st.sampled_from(boundaries or [0])))
    return Case(within, proposals, BASE + datetime.timedelta(days=max(last, later)), draw(st.booleans()))


def build(root: Path, case: Case) -> Path:
    minimal_workspace(root, as_of=case.today.isoformat() if case.archive else None)
    if case.within is not None:
        gasp_yaml = root / "records/gasp.yaml"
        gasp_yaml.write_text(
            gasp_yaml.read_text(encoding="utf-8") + f"commitments:\n  decision_within_days: {case.within}\n",
            encoding="utf-8",
        )
    since = "2020-01-01"
    add_group(root, "agents", "agents", "frequency: monthly\nweekday: tuesday\nweek: 1", since=since)
    add_group(
        root,
        "usagers",
        "usagers",
        "frequency: quarterly\nweekday: thursday\nweek: 2\nmonths: [3, 6, 9, 12]",
        since=since,
    )
    add_group(
        root, "referents", "referents", "frequency: semiannual\nweekday: friday\nweek: 3\nmonths: [6, 12]", since=since
    )
    add_group(
        root, "intergroupes", "intergroupes", "frequency: annual\nweekday: saturday\nweek: 4\nmonths: [6]", since=since
    )
    for theme in ("accueil", "voirie"):
        write(root, f"records/themes/{theme}.yaml", f"title: Thème {theme}\n")
    meetings: dict[tuple[datetime.date, str], tuple[list[str], list[str]]] = {}
    for proposal in case.proposals:
        milestones = ""
        for step in proposal.steps:
            if step.group is None:
                milestones += f"  - {{date: {step.day.isoformat()}, status: {step.kind}}}\n"
                continue
            events, decisions = meetings.setdefault((step.day, step.group), ([], []))
            if step.kind in DECISIONS:
                decisions.append(f"  - {{proposal: {proposal.id}, outcome: {step.kind}}}\n")
            else:
                events.append(f"  - {{proposal: {proposal.id}, event: {step.kind}}}\n")
        body = f"title: Proposition {proposal.id}\ntheme: {proposal.theme}\n"
        write(
            root, f"records/proposals/{proposal.id}.yaml", body + (f"milestones:\n{milestones}" if milestones else "")
        )
    for (day, group), (events, decisions) in meetings.items():
        text = f"group: {group}\ndate: {day.isoformat()}\nstatus: held\n"
        text += "proposals:\n" + "".join(events) if events else ""
        text += "decisions:\n" + "".join(decisions) if decisions else ""
        write(root, f"records/meetings/{day.year}/{day.isoformat()}-{group}.yaml", text)
    return root


def _json(root: Path, env: dict[str, str], *args: str):
    result = gasp(*args, "--format", "json", workspace=root, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _cell(value: object) -> str:
    return "" if value is None else str(value)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_every_output_says_the_same_facts(case: Case) -> None:
    from gasp_cli import facts
    from gasp_cli.checks import check_workspace
    from gasp_cli.documents import dossier, proposition, site, suivi
    from gasp_cli.render.documents import output
    from gasp_cli.vocabulary import PROPOSAL_STATUSES
    from gasp_cli.workspace import Workspace

    today = case.today
    env = {"GASP_TODAY": "2030-01-01" if case.archive else today.isoformat()}
    by_id = {p.id: p for p in case.proposals}
    late = {p.id for p in case.proposals if p.late_by(today, case.within) is not None}
    with tempfile.TemporaryDirectory() as folder:
        root = build(Path(folder), case)

        # gasp validate: valid, and a warning for each late proposal, none for an answered one.
        found = _json(root, env, "validate")
        assert [d for d in found if d["severity"] == "error"] == []
        warned = {d["file"] for d in found if d["code"] == "late-decision"}
        assert warned == {f"records/proposals/{pid}.yaml" for pid in late}

        # The trace list and proposals.csv: one row a proposal, the same facts.
        rows = {row["id"]: row for row in _json(root, env, "trace", "proposal")}
        assert gasp("export", "--out", str(root / "donnees"), workspace=root, env=env).exit_code == 0
        exported = {row["id"]: row for row in _csv(root / "donnees/proposals.csv")}
        for pid, proposal in by_id.items():
            row, line = rows[pid], exported[pid]
            raised, answer = proposal.raised, proposal.answer()
            last = proposal.decisions[-1] if proposal.decisions else None
            assert row["status"] == proposal.status_on(today) == (line["status"] or None)
            assert row["raised_on"] == _iso(raised.day if raised else None) == (line["raised_on"] or None)
            assert row["raised_by"] == (raised.group if raised else None) == (line["raised_by"] or None)
            assert row["outcome"] == (last.kind if last else None) == (line["outcome"] or None)
            assert row["decided_on"] == _iso(last.day if last else None) == (line["decided_on"] or None)
            first = (answer.day - raised.day).days if answer and raised else None
            assert row["days_to_first_decision"] == first and line["days_to_first_decision"] == _cell(first)
            assert line["first_decided_on"] == _cell(_iso(answer.day if answer else None))
            to_last = (last.day - raised.day).days if last and raised else None
            assert row["days_to_decision"] == to_last and line["days_to_decision"] == _cell(to_last)

        # Each proposal's trace: its events, in order.
        for pid, proposal in by_id.items():
            one = _json(root, env, "trace", "proposal", pid)
            assert [(e["date"], e["kind"], e["group"]) for e in one["events"]] == [
                (s.day.isoformat(), s.kind, s.group) for s in proposal.steps
            ]
            assert one["status"] == proposal.status_on(today)

        # The report of every year, and indicators.csv: the same rows, the same values.
        indicators = _csv(root / "donnees/indicators.csv")
        raised_years = [p.raised.day.year for p in case.proposals if p.raised]
        for year in range(min(raised_years, default=today.year), today.year + 1):
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            counted_to = min(end, today)
            report = _json(root, env, "report", "--year", str(year))
            decisions = [(p, s) for p in case.proposals for s in p.decisions if start <= s.day <= end]
            assert report["proposals"]["decided"] == {
                outcome: sum(s.kind == outcome for _, s in decisions) for outcome in DECISIONS
            }
            assert report["proposals"]["raised"] == sum(
                1 for p in case.proposals if p.raised and p.raised.day.year == year
            )
            assert report["proposals"]["awaiting_decision"] == sum(p.to_decide(end) for p in case.proposals)
            delays = [(s.day - p.raised.day).days for p, s in decisions if p.raised]
            median = report["median_days_to_decision"]
            assert median == (statistics.median(delays) if delays else None)
            within = None
            if case.within is not None:
                within = sum(
                    1
                    for p in case.proposals
                    if (a := p.answer())
                    and p.raised
                    and start <= a.day <= end
                    and (a.day - p.raised.day).days <= case.within
                )
            assert report["decided_within_commitment"] == within
            mine = report["indicators"]
            theirs = [r for r in indicators if r["year"] == str(year)]
            assert len(mine) == len(theirs)
            for a, b in zip(mine, theirs, strict=True):
                assert a["counted_to"] == b["counted_to"] == counted_to.isoformat()
                for key in ("indicator", "group", "subject", "origin_group", "unit"):
                    assert (a[key] or "") == b[key]
                assert float(a["value"]) == float(b["value"]) and _cell(a["n"]) == b["n"]
            cohort = [p for p in case.proposals if p.raised and p.raised.day.year == year]
            shares = {r["indicator"]: r for r in mine if r["group"] is None and r["indicator"].endswith("_share")}
            if cohort:
                decided = sum(1 for p in cohort if p.answer(counted_to) is not None)
                done = sum(1 for p in cohort if any(s.kind == "done" and s.day <= counted_to for s in p.steps))
                assert abs(shares["decided_share"]["value"] - 100 * decided / len(cohort)) <= 0.05 + 1e-9
                assert abs(shares["done_share"]["value"] - 100 * done / len(cohort)) <= 0.05 + 1e-9
            else:
                assert shares == {}

        # The documents' own data: the dossiers, the suivi, the proposal pages.
        records, _ = check_workspace(Workspace(root), today)
        run = facts.of(records)
        upcoming = dossier.next_referents_meeting(records, today)
        assert upcoming is not None
        held = [(row, day) for row, day in dossier.meetings(records, today) if row.status == "held"]
        for row, day in [*held, (upcoming, today)]:
            doc = dossier.build(records, run.histories, day, row)
            assert {p.id for p in doc.late} == {p.id for p in case.proposals if p.late_by(day, case.within)}
            assert {p.id for p in doc.awaiting} == {p.id for p in case.proposals if p.to_decide(day)}
            assert {p.id: p.late_days for p in doc.late} == {
                p.id: p.late_by(day, case.within) for p in case.proposals if p.late_by(day, case.within)
            }
        doc = dossier.build(records, run.histories, today, upcoming)
        text = output(dossier.FORMATS, "md", doc, None, datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        assert isinstance(text, str) and text.count("En retard de ") == len(late)

        sheet = suivi.build(records, today, run.histories)
        sections = dict(suivi.SECTIONS)
        listed = {}
        for section in sheet.sections:
            for item in [*section.items, *(q for group in section.quiet for q in group.items)]:
                listed[item.id] = section.title
        told = {
            p.id
            for p in case.proposals
            if any(s.kind in ("raised", "discussed") and s.group == "usagers" for s in p.steps)
        }
        assert set(listed) == told
        for pid, title in listed.items():
            assert by_id[pid].status_on(today) in sections[title]

        for pid, proposal in by_id.items():
            page = proposition.build(records, today, pid, run.histories)
            status = proposal.status_on(today)
            if status is not None:
                assert page.status == PROPOSAL_STATUSES[status]
                assert proposition.public_proposition(records, today, pid, run.histories).status == page.status

        # The residents' site: its home counts each proposal raised under its status's section and
        # links the latest few (site.LATEST_PROPOSALS); each status's page lists them all.
        home = site.home(records, today, run.histories, [])
        raised = {p.id for p in case.proposals if p.raised is not None}
        on_home = {
            link.href.removeprefix("propositions/").removesuffix(".html"): section.title
            for section in home.statuses
            for link in section.links
        }
        assert set(on_home) <= raised
        assert sum(section.count for section in home.statuses) == len(raised)
        for section in home.statuses:
            assert len(section.links) == min(section.count, site.LATEST_PROPOSALS)
        on_pages = {
            link.href.removeprefix("propositions/").removesuffix(".html"): page.title
            for _, page in site.status_pages(records, today, run.histories, sorted(raised))
            for year in page.years
            for link in year.links
        }
        assert set(on_pages) == raised
        for pid, title in {**on_pages, **on_home}.items():
            assert by_id[pid].status_on(today) in sections[title]
