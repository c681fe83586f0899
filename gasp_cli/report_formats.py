"""The annual report in the terminal (rich, in French) and as JSON; md, html and pdf go through the templates."""

from __future__ import annotations

import json

from .render.views import ReportView


def as_json(report) -> str:
    return json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n"


def print_report(view: ReportView) -> None:
    from rich.table import Table

    from .terminal import console as terminal_console
    from .terminal import safe_text as Text

    console = terminal_console()

    def heading(title: str) -> None:
        console.print()
        console.print(Text(title, style="bold blue"))

    def lines(items: list[str], empty: str) -> None:
        if not items:
            console.print(Text(empty, style="dim italic"))
        for item in items:
            console.print(Text(f"  • {item}"))

    console.print(Text(f"{view.title} — {view.gasp_name}", style="bold"))
    if view.cutoff:
        console.print(Text(f"{view.cutoff}.", style="dim"))
    if view.not_yet:
        console.print(Text(view.not_yet))
        return

    heading("Réunions")
    table = Table()
    for column in ("Groupe", "Prévues", "Tenues", "Annulées", "Présents"):
        table.add_column(column, justify="left" if column in ("Groupe", "Présents") else "right")
    for group in view.groups:
        table.add_row(Text(group.name), str(group.due), str(group.held), str(group.cancelled), Text(group.attendance))
    console.print(table)
    if view.median_minutes:
        console.print(Text(f"Délai médian d’envoi des comptes rendus : {view.median_minutes}"))

    heading("Le groupe des agents : institutions et renouvellement")
    console.print(Text(view.institutions_line))
    lines(view.institutions, "aucune")
    console.print(Text("Arrivées :"))
    lines(view.joined, "  aucune")
    console.print(Text("Départs :"))
    lines(view.left, "  aucun")
    console.print(Text("Institutions invitées :"))
    lines(view.guest_institutions, "  aucune")

    heading("Thèmes")
    lines([f"{group} : {' ; '.join(themes)}" for group, themes in view.themes_by_group], "Aucun thème abordé.")
    console.print(Text("Communs à plusieurs groupes :"))
    lines([f"{theme} : {', '.join(groups)}" for theme, groups in view.shared_themes], "  aucun")

    heading("Propositions")
    for words, count in view.proposal_figures:
        console.print(Text(f"{words} : {count}"))
    console.print(Text(f"Délai médian entre proposition et décision : {view.median_days}"))
    if view.commitment:
        console.print(Text(f"Engagement : {view.commitment}"))
    lines([f"en attente : {title}" for title in view.awaiting], "")

    section = view.indicators
    if section is not None and not section.empty:  # gasp_cli/documents/indicateurs.py
        heading(f"Indicateurs (comme dans gasp export, au {section.as_of})")
        lines([f"{group} : {count} soulevées, {decided} décidées, {done} réalisées"
               for group, count, decided, done in section.shares], "")
        lines([f"délai médian, {stage} : {median} ({count})" for stage, median, count in section.stages], "")
        lines([f"thème repris : {line}" for line in section.uptakes], "")
        lines([f"présents en moyenne, {group} : " + ", ".join(f"{heading} {mean}" for heading, mean
                                                              in zip(section.attendance_headings, means))
               for group, means in section.attendance], "")
        lines(section.turnover, "")

    heading("Actions en cours")
    if view.open_actions:
        console.print(Text(view.open_actions_line))
        for action in view.open_actions:
            due = f" (échéance {action.due})" if action.due else ""
            console.print(Text(f"  • {action.who} : {action.what}{due} — {action.done}"))
    else:
        console.print(Text("Aucune action ouverte.", style="dim italic"))

    heading("Financements")
    lines([f"{source} : {amount}" for source, amount in view.funding], "Aucune proposition chiffrée validée cette année.")
    if view.funding_total:
        console.print(Text(f"  Total : {view.funding_total}"))

    heading(f"Calendrier {view.year + 1}")
    lines([f"{group} : {', '.join(dates)}" for group, dates in view.next_year], "Aucune réunion prévue.")
