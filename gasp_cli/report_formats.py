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
        console.print(Text(view.cutoff, style="dim"))

    heading("Réunions")
    table = Table()
    for column in ("Groupe", "Prévues", "Tenues", "Annulées", "Présents"):
        table.add_column(column, justify="left" if column in ("Groupe", "Présents") else "right")
    for group in view.groups:
        table.add_row(Text(group.name), str(group.due), str(group.held), str(group.cancelled), Text(group.attendance))
    console.print(table)

    heading("Le groupe des agents : institutions et renouvellement")
    console.print(Text(f"{len(view.institutions)} institutions ou services représentés"))
    lines(view.institutions, "aucune")
    console.print(Text("Arrivées :"))
    lines(view.joined, "  aucune")
    console.print(Text("Départs :"))
    lines(view.left, "  aucun")

    heading("Thèmes")
    lines([f"{group} : {' ; '.join(themes)}" for group, themes in view.themes_by_group], "Aucun thème abordé.")
    console.print(Text("Communs à plusieurs groupes :"))
    lines([f"{theme} : {', '.join(groups)}" for theme, groups in view.shared_themes], "  aucun")

    heading("Propositions")
    console.print(Text(f"Soulevées dans l'année : {len(view.raised)}"))
    console.print(Text("Décisions : " + ", ".join(f"{label} {count}" for label, count in view.decided)))
    console.print(Text(f"En attente de décision à la fin de l'année : {len(view.awaiting)}"))
    console.print(Text(f"Réalisées dans l'année : {len(view.implemented)}"))
    console.print(Text(f"Délai médian entre proposition et décision : {view.median_days}"))
    lines([f"en attente : {title}" for title in view.awaiting], "")

    heading("Actions en cours")
    if view.open_actions:
        console.print(Text(f"{len(view.open_actions)} actions ouvertes, dont {view.overdue_count} en retard"))
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
