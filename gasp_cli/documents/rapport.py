"""The annual report for the inter-group meeting: its view (`rapport/` and the residents' site),
its terminal form, and what `gasp render` makes of it.

Its figures are computed in documents/rapport_chiffres.py (`build(records, year, day)`, the one
computation behind `gasp report`, whose JSON is `Report.as_json()`); `build` and `years` are
named here too.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..calendar import Row
from ..lifecycle import History
from ..loader import Records
from ..names import gasp_name, group_name, theme_title, who_name
from ..vocabulary import (
    GROUP_KINDS,
    KIND_ORDER,
    capitalised,
    day_month,
    days,
    euros,
    french_number,
    long_date,
    plural,
    sort_key,
    status_word,
    weekday_date,
)
from .base import ActionLine, Output, Page, Run, Template
from .rapport_chiffres import GroupYear, Membership, Report, build, years

__all__ = ["FORMATS", "SITE_HTML", "ReportView", "build", "entry", "outputs", "show", "site_pages", "view", "years"]

if TYPE_CHECKING:
    from .indicateurs import IndicatorSection

FORMATS: dict[str, Template] = {"md": "rapport.md.j2", "html": "rapport.html.j2", "pdf": "rapport.typ.j2"}
SITE_HTML: Template = "site-rapport.html.j2"  # its page on the residents' site


def entry(records: Records, name: str, today: datetime.date) -> tuple[str, str] | None:
    """The index's title and date of a year's report (`rapport-AAAA`)."""
    year = name.removeprefix("rapport-")
    return (f"Rapport {year}", year) if name.startswith("rapport-") else None


# --- the view -------------------------------------------------------------------------------


# One name per figure: this delay is measured to every decision of the year, a first answer
# (a study, a deferral) or a later decision; the indicators' delays are those of the year's
# cohort, « de la proposition à sa première décision » (documents/indicateurs.py).
MEDIAN_DAYS_WORDS = "Délai médian de la proposition à chaque décision prise dans l’année (première ou suivante)"


@dataclass
class Bar:
    label: str
    value: int
    fraction: float  # of the longest bar of the chart
    colour: str


@dataclass
class BarGroup:
    label: str
    bars: list[Bar]


@dataclass
class ReportGroup:
    name: str
    kind: str
    due: int
    held: int
    cancelled: int
    attendance: str


@dataclass
class ReportView:
    gasp_name: str
    year: int
    title: str
    cutoff: str
    groups: list[ReportGroup]
    meetings_chart: list[BarGroup]
    institutions: list[str]
    joined: list[str]
    left: list[str]
    themes_by_group: list[tuple[str, list[str]]]
    shared_themes: list[tuple[str, list[str]]]
    raised: list[str]
    decided: list[tuple[str, int]]
    awaiting: list[str]
    implemented: list[str]
    median_days: str
    status_chart: list[BarGroup]
    open_actions: list[ActionLine]
    overdue_count: int
    funding: list[tuple[str, str]]
    funding_total: str
    next_year: list[tuple[str, list[str]]]
    # The same figures, with the same words, in the table and in the chart.
    proposal_figures: list[tuple[str, int]] = field(default_factory=list)
    institutions_line: str = ""
    guest_institutions: list[str] = field(default_factory=list)
    open_actions_line: str = ""
    commitment: str = ""
    median_minutes: str = ""
    # « Groupe des agents, mardi 12 février 2002 : <motif> », one line per cancelled meeting.
    cancellations: list[str] = field(default_factory=list)
    # Set for a year before the Gasp existed: the only thing the report says.
    not_yet: str = ""
    # The sociologist's indicators of the year (gasp_cli/documents/indicateurs.py).
    indicators: IndicatorSection | None = None
    public: bool = False  # the residents' site's edition: no word of the secretary's tools
    median_days_words: str = MEDIAN_DAYS_WORDS


STATUS_COLOURS = {
    "raised": "#7592b0",
    "discussed": "#6f95b8",
    "deferred": "#a3841b",
    "study": "#b07d1a",
    "validated": "#4f9d69",
    "in-progress": "#2e7d32",
    "done": "#1b5e20",
    "rejected": "#b3261e",
    "withdrawn": "#8d8d8d",
    "abandoned": "#6d4c41",
}

# The decisions of the year, as the table and the chart both name them.
DECISIONS_OF_THE_YEAR = {
    outcome: f"{capitalised(status_word(outcome, 2))} dans l’année"
    for outcome in ("validated", "rejected", "deferred", "study")
}


def _service_label(records: Records, service_id: str) -> str:
    service = records.services.get(service_id)
    return f"{service.institution} — {service.name}" if service else service_id


def _meetings_chart(report: Report) -> list[BarGroup]:
    """Meetings due and held, per group, each bar a fraction of the longest."""
    longest = max([max(g.due, g.held) for g in report.groups] + [1])
    return [
        BarGroup(
            g.name,
            [
                Bar("prévues" if g.due > 1 else "prévue", g.due, g.due / longest, "#87939f"),
                Bar("tenues" if g.held > 1 else "tenue", g.held, g.held / longest, "#33658a"),
            ],
        )
        for g in report.groups
    ]


def _proposal_figures(report: Report) -> list[tuple[str, int, str]]:
    """The year's proposals, counted: (words, count, colour), the same in the table and the chart."""
    return [
        ("Soulevées dans l’année", len(report.raised), STATUS_COLOURS["raised"]),
        *((DECISIONS_OF_THE_YEAR[o], n, STATUS_COLOURS[o]) for o, n in report.decided.items()),
        ("En attente de décision à la fin de l’année", len(report.awaiting), STATUS_COLOURS["discussed"]),
        ("Réalisées dans l’année", len(report.implemented), STATUS_COLOURS["done"]),
    ]


def _status_chart(figures: list[tuple[str, int, str]]) -> list[BarGroup]:
    most = max([n for _, n, _ in figures] + [1])
    return [BarGroup(words, [Bar(words, n, n / most, colour)]) for words, n, colour in figures]


def _membership_line(m: Membership) -> str:
    """« Un agent (Mairie), le 3 mai 2001 »."""
    where = f" ({m.institution})" if m.institution else ""
    return f"{m.label}{where}, le {long_date(m.date)}"


def _attendance_words(g: GroupYear) -> str:
    """« 14,2 en moyenne (8 à 17) », « 14 en moyenne », or « — » without a held meeting."""
    if not g.attendance:
        return "—"
    mean = f"{french_number(g.attendance_mean or 0.0)} en moyenne"  # not None: attendance is not empty
    return mean if g.attendance_min == g.attendance_max else f"{mean} ({g.attendance_min} à {g.attendance_max})"


def _theme_lines(records: Records, report: Report) -> list[tuple[str, list[str]]]:
    """Each group's themes of the year, by title."""
    return [
        (group_name(records, gid), sorted((theme_title(records, t) for t in themes), key=sort_key))
        for gid, themes in report.themes_by_group.items()
    ]


def _shared_theme_lines(records: Records, report: Report) -> list[tuple[str, list[str]]]:
    """The themes several groups brought up, by title, with the groups' names."""
    return sorted(
        ((theme_title(records, t), [group_name(records, g) for g in gids]) for t, gids in report.shared_themes.items()),
        key=lambda pair: sort_key(pair[0]),
    )


def _open_action_lines(records: Records, report: Report) -> list[ActionLine]:
    return [
        ActionLine(
            who_name(records, a.who),
            a.what,
            long_date(a.due) if a.due else "",
            "en retard" if a.overdue else "à faire",
        )
        for a in report.open_actions
    ]


def _open_actions_line(report: Report, overdue: int) -> str:
    """« 3 actions ouvertes, dont 1 en retard »."""
    return plural(len(report.open_actions), "action ouverte") + (f", dont {overdue} en retard" if overdue else "")


def _commitment_line(report: Report) -> str:
    """« 4 propositions ont reçu leur première réponse des référents dans les 180 jours promis »."""
    within = report.decided_within_commitment
    if within is None:
        return ""
    return (
        f"{plural(within, 'proposition')} "
        f"{'a reçu sa' if within < 2 else 'ont reçu leur'} première réponse "
        f"des référents dans les {days(report.decision_within_days or 0)} promis"
    )


def _median_minutes_line(report: Report) -> str:
    """« 12 jours (engagement : 15 jours) »: the median delay of the comptes rendus."""
    minutes = report.median_days_to_minutes
    if minutes is None:
        return ""
    promised = "" if report.minutes_within_days is None else f" (engagement : {days(report.minutes_within_days)})"
    return days(minutes) + promised


def _cancellation_lines(records: Records, report: Report) -> list[str]:
    """« Groupe des agents, mardi 12 février 2002 : <motif> »."""
    return [
        f"{group_name(records, c.group)}, {weekday_date(c.date)} : " + (c.reason if c.reason else "motif non noté")
        for c in report.cancellations
    ]


def _not_yet_line(report: Report) -> str:
    if report.before_gasp and report.created is not None:  # before_gasp implies created
        return f"Le Gasp n’existait pas encore en {report.year} : il a commencé le {long_date(report.created)}."
    return ""


def view(records: Records, report: Report) -> ReportView:
    """What the pages and the terminal show of a report: words, charts, names allowed to be shown."""
    from .indicateurs import build as indicator_section

    end = datetime.date(report.year, 12, 31)
    figures = _proposal_figures(report)

    def titles(ids: list[str]) -> list[str]:
        return [records.proposals[pid].title for pid in ids]

    institutions = sorted((_service_label(records, sid) for sid in report.institutions), key=sort_key)
    overdue = sum(a.overdue for a in report.open_actions)
    median = report.median_days_to_decision
    return ReportView(
        gasp_name=gasp_name(records),
        year=report.year,
        title=f"Rapport annuel {report.year}",
        cutoff="" if report.cutoff >= end else f"État au {long_date(report.cutoff)}",
        groups=[
            ReportGroup(g.name, GROUP_KINDS[g.kind], g.due, g.held, g.cancelled, _attendance_words(g))
            for g in report.groups
        ],
        meetings_chart=_meetings_chart(report),
        institutions=institutions,
        joined=[_membership_line(m) for m in report.joined],
        left=[_membership_line(m) for m in report.left],
        themes_by_group=_theme_lines(records, report),
        shared_themes=_shared_theme_lines(records, report),
        raised=titles(report.raised),
        decided=[(DECISIONS_OF_THE_YEAR[o], n) for o, n in report.decided.items()],
        awaiting=titles(report.awaiting),
        implemented=titles(report.implemented),
        median_days=(days(median) if median is not None else "aucune décision cette année"),
        status_chart=_status_chart(figures),
        open_actions=_open_action_lines(records, report),
        overdue_count=overdue,
        funding=[(source, euros(amount)) for source, amount in report.funding.items()],
        funding_total=euros(sum(report.funding.values())) if report.funding else "",
        next_year=_next_year_short(records, report.next_year),
        proposal_figures=[(words, n) for words, n, _ in figures],
        institutions_line=plural(len(institutions), "institution ou service représenté"),
        guest_institutions=sorted((_service_label(records, sid) for sid in report.guest_institutions), key=sort_key),
        open_actions_line=_open_actions_line(report, overdue),
        commitment=_commitment_line(report),
        median_minutes=_median_minutes_line(report),
        cancellations=_cancellation_lines(records, report),
        not_yet=_not_yet_line(report),
        indicators=indicator_section(records, report.indicators, report.cutoff),
    )


def _next_year_short(records: Records, rows: list[Row]) -> list[tuple[str, list[str]]]:
    by_group: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: (KIND_ORDER.index(records.groups[r.group].kind), r.group, r.date)):
        by_group.setdefault(group_name(records, row.group), []).append(day_month(row.date))
    return list(by_group.items())


# --- the terminal ---------------------------------------------------------------------------


class _Terminal:
    """The report's lines in the terminal: headings, bullet lists, plain lines (rich is imported
    by the commands that print, not by `gasp --help`)."""

    def __init__(self) -> None:
        from ..terminal import console, safe_text

        self.console = console()
        self.text = safe_text

    def line(self, text: str, style: str = "") -> None:
        self.console.print(self.text(text, style=style))

    def heading(self, title: str) -> None:
        self.console.print()
        self.line(title, style="bold blue")

    def lines(self, items: list[str], empty: str) -> None:
        if not items:
            self.line(empty, style="dim italic")
        for item in items:
            self.line(f"  • {item}")


def _show_meetings(out: _Terminal, view: ReportView) -> None:
    from rich.table import Table

    out.heading("Réunions")
    table = Table()
    for column in ("Groupe", "Prévues", "Tenues", "Annulées", "Présents"):
        table.add_column(column, justify="left" if column in ("Groupe", "Présents") else "right")
    for group in view.groups:
        table.add_row(
            out.text(group.name), str(group.due), str(group.held), str(group.cancelled), out.text(group.attendance)
        )
    out.console.print(table)
    if view.median_minutes:
        out.line(f"Délai médian d’envoi des comptes rendus : {view.median_minutes}")
    if view.cancellations:
        out.line("Réunions annulées :")
        out.lines(view.cancellations, "")


def _show_agents(out: _Terminal, view: ReportView) -> None:
    out.heading("Le groupe des agents : institutions et renouvellement")
    out.line(view.institutions_line)
    out.lines(view.institutions, "aucune")
    out.line("Arrivées :")
    out.lines(view.joined, "  aucune")
    out.line("Départs :")
    out.lines(view.left, "  aucun")
    out.line("Institutions invitées :")
    out.lines(view.guest_institutions, "  aucune")


def _show_themes(out: _Terminal, view: ReportView) -> None:
    out.heading("Thèmes")
    out.lines([f"{group} : {' ; '.join(themes)}" for group, themes in view.themes_by_group], "Aucun thème abordé.")
    out.line("Communs à plusieurs groupes :")
    out.lines([f"{theme} : {', '.join(groups)}" for theme, groups in view.shared_themes], "  aucun")


def _show_proposals(out: _Terminal, view: ReportView) -> None:
    out.heading("Propositions")
    for words, count in view.proposal_figures:
        out.line(f"{words} : {count}")
    out.line(f"{MEDIAN_DAYS_WORDS} : {view.median_days}")
    if view.commitment:
        out.line(f"Engagement : {view.commitment}")
    out.lines([f"en attente : {title}" for title in view.awaiting], "")


def _show_indicators(out: _Terminal, section: IndicatorSection | None) -> None:
    if section is None or section.empty:  # gasp_cli/documents/indicateurs.py
        return
    out.heading(f"Indicateurs (comptés au {section.as_of}, comme dans gasp export)")
    out.lines(
        [
            f"{group} : {plural(count, 'soulevée')}, {decided} décidées, {done} réalisées"
            for group, count, decided, done in section.shares
        ],
        "",
    )
    out.lines([f"délai médian, {stage} : {median} ({count})" for stage, median, count in section.stages], "")
    out.lines([f"thème repris : {line}" for line in section.uptakes], "")
    out.lines(
        [
            f"présents en moyenne, {group} : "
            + ", ".join(f"{name} {mean}" for name, mean in zip(section.attendance_headings, means, strict=True))
            for group, means in section.attendance
        ],
        "",
    )
    out.lines(section.turnover, "")


def _show_actions(out: _Terminal, view: ReportView) -> None:
    out.heading("Actions en cours")
    if not view.open_actions:
        out.line("Aucune action ouverte.", style="dim italic")
        return
    out.line(view.open_actions_line)
    for action in view.open_actions:
        due = f" (échéance {action.due})" if action.due else ""
        out.line(f"  • {action.who} : {action.what}{due} — {action.done}")


def _show_funding(out: _Terminal, view: ReportView) -> None:
    out.heading("Financements")
    out.lines(
        [f"{source} : {amount}" for source, amount in view.funding], "Aucune proposition chiffrée validée cette année."
    )
    if view.funding_total:
        out.line(f"  Total : {view.funding_total}")


def show(view: ReportView) -> None:
    """The report in the terminal, in French."""
    out = _Terminal()
    out.line(f"{view.title} — {view.gasp_name}", style="bold")
    if view.cutoff:
        out.line(f"{view.cutoff}.", style="dim")
    if view.not_yet:
        out.line(view.not_yet)
        return
    _show_meetings(out, view)
    _show_agents(out, view)
    _show_themes(out, view)
    _show_proposals(out, view)
    _show_indicators(out, view.indicators)
    _show_actions(out, view)
    _show_funding(out, view)
    out.heading(f"Calendrier {view.year + 1}")
    out.lines([f"{group} : {', '.join(dates)}" for group, dates in view.next_year], "Aucune réunion prévue.")


# --- what `gasp render` makes of it (its line in documents/registry.py) -------------------------------


def _report_view(records: Records, year: int, today: datetime.date, derived: dict[str, History]) -> ReportView:
    return view(records, build(records, year, today, derived))


def outputs(run: Run) -> Iterator[Output]:
    """A report for each of `years`."""
    records, today, deps = run.records, run.request.today, run.dependencies
    for year in years(records, today):
        yield Output(
            f"rapport/rapport-{year}",
            FORMATS,
            functools.partial(_report_view, records, year, today, run.derived),
            f"rapport-{year}",
            inputs=(year, deps.rapport(year, today)),
        )


def public_report(records: Records, year: int, today: datetime.date, derived: dict[str, History]) -> ReportView:
    """A year's report as residents see it (from the public records): no open action of a group."""
    report = _report_view(records, year, today, derived)
    report.public = True
    return report


def site_pages(run: Run) -> Iterator[Page]:
    """On the residents' site: every year's report, built from the public records."""
    records, today = run.records, run.request.today
    for year in years(records, today):
        yield Page(
            f"rapport/rapport-{year}.html",
            SITE_HTML,
            functools.partial(public_report, records, year, today, run.derived),
            FORMATS["pdf"],
            inputs=run.dependencies.rapport(year, today),
            section=str(year),
        )
