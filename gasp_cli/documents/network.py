"""The network's report (`gasp network report`): one table of sites, the totals, the sites that failed.

Its data is `network.run_network`'s results and `network.network_totals`; this module
makes the page every format shows (terminal, md, html, pdf). Figures are the sites'
own `gasp report` figures; nothing is computed here but sums for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..network import SiteResult
from ..vocabulary import days, euros, plural


@dataclass
class SiteLine:
    """One row of the table: a site, or the network's totals."""

    name: str
    commit: str
    due: int
    held: int
    raised: int
    decided: int
    implemented: int
    median_days: str
    funding: str


@dataclass
class Failure:
    name: str
    id: str
    reason: str


@dataclass
class NetworkPage:
    gasp_name: str  # the network's name, in every page's header
    title: str
    year: int
    summary: str
    sites: list[SiteLine]
    total: SiteLine
    funding: list[tuple[str, str]]
    funding_total: str
    failures: list[Failure]


def _line(name: str, commit: str, report: dict[str, Any]) -> SiteLine:
    groups = report["groups"].values()
    proposals = report["proposals"]
    median = report["median_days_to_decision"]
    total = sum(report["funding"].values())
    return SiteLine(
        name=name,
        commit=commit,
        due=sum(g["due"] for g in groups),
        held=sum(g["held"] for g in groups),
        raised=proposals["raised"],
        decided=sum(proposals["decided"].values()),
        implemented=proposals["implemented"],
        median_days=days(median) if median is not None else "—",
        funding=euros(total) if report["funding"] else "—",
    )


def network_page(name: str, year: int, results: list[SiteResult], totals: dict[str, Any]) -> NetworkPage:
    ok = [r for r in results if r.status == "ok"]
    failed = [r for r in results if r.status != "ok"]
    summary = f"{plural(len(results), 'site')} : {len(ok)} compris dans les totaux, {len(failed)} en échec."
    return NetworkPage(
        gasp_name=name,
        title=f"Rapport du réseau {year}",
        year=year,
        summary=summary,
        sites=[_line(r.site.name, (r.commit or "")[:10], r.report or {}) for r in ok],
        total=_line("Total du réseau", "", totals),
        funding=[(source, euros(amount)) for source, amount in totals["funding"].items()],
        funding_total=euros(sum(totals["funding"].values())) if totals["funding"] else "",
        failures=[Failure(r.site.name, r.site.id, r.reason or "") for r in failed],
    )


def print_page(page: NetworkPage) -> None:
    """The page in the terminal, with rich; record text printed literally."""
    from rich.table import Table

    from ..terminal import console as terminal_console
    from ..terminal import safe_text as Text

    console = terminal_console()
    console.print(Text(f"{page.title} — {page.gasp_name}", style="bold"))
    console.print(Text(page.summary, style="dim"))
    table = Table()
    for column in (
        "Site",
        "Commit",
        "Prévues",
        "Tenues",
        "Soulevées",
        "Décidées",
        "Réalisées",
        "Délai médian",
        "Financements",
    ):
        table.add_column(column, justify="left" if column in ("Site", "Commit") else "right")
    for line in [*page.sites, page.total]:
        style = "bold" if line is page.total else ""
        table.add_row(
            *(
                Text(str(value), style=style)
                for value in (
                    line.name,
                    line.commit,
                    line.due,
                    line.held,
                    line.raised,
                    line.decided,
                    line.implemented,
                    line.median_days,
                    line.funding,
                )
            )
        )
    console.print(table)
    console.print(
        Text(
            "Réunions prévues et tenues ; propositions soulevées, décidées, réalisées dans l’année ; "
            "délai médian de la proposition à chaque décision de l’année, sur toutes les décisions du réseau.",
            style="dim",
        )
    )
    if page.funding:
        console.print(Text("Financements du réseau", style="bold blue"))
        for source, amount in page.funding:
            console.print(Text(f"  • {source} : {amount}"))
        console.print(Text(f"  Total : {page.funding_total}"))
    console.print(Text("Sites en échec", style="bold blue"))
    if not page.failures:
        console.print(Text("Aucun.", style="dim italic"))
    for failure in page.failures:
        console.print(Text(f"  • {failure.name} ({failure.id}) : {failure.reason}"))
