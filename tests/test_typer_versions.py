"""What differs between the Typers allowed (>=0.15,<0.30) is made the same for the user.

Typer 0.15 uses Click 8.1, a separate package; Typer 0.29 carries its own Click, which
behaves as Click 8.2 does.
"""

from __future__ import annotations

import typer

from gasp_cli.cli import app
from gasp_cli.cli.french import UsageError, french_usage_message


def test_a_mistyped_command_gets_its_suggestion_even_when_click_gives_none():
    # Click 8.1 (Typer 0.15, the lowest Typer allowed) says only « No such command 'valdate'. »
    ctx = typer.Context(typer.main.get_command(app))
    message = french_usage_message(UsageError("No such command 'valdate'.", ctx=ctx))
    assert message == "commande « valdate » inconnue ; vouliez-vous dire « validate » ?"
