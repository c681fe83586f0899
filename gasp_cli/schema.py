"""JSON Schemas of the record kinds, generated from the models, for editors (yaml-language-server).

The schema describes exactly what `gasp validate` accepts of one file read as YAML 1.2
(as editors read it): types, values, patterns, bounds, one-line fields. Two kinds of
rules stay `gasp validate`'s alone, and the schema says so in `$comment`:
- what needs other files: references to other records and places, ids unique, file
  names, the lifecycle of a proposal, decisions only by the référents;
- how a value is written, which JSON cannot see: YAML tags, anchors and aliases,
  a key given twice, integers with leading zeros (`010`) or in octal or hexadecimal,
  `.inf` and `.nan`, a time zone that zoneinfo does not know.
`tests/test_schema_agrees.py` checks both on a corpus of mutated records.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from .creating import SCHEMA_NAMES
from .models import KINDS, Gasp

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_COMMENT = (
    "Ce schéma vérifie un fichier seul, lu en YAML 1.2. gasp validate vérifie en plus : les références "
    "vers d'autres enregistrements et vers les lieux de gasp.yaml, les identifiants en double, les noms de "
    "fichier des réunions, la vie des propositions, les étiquettes, ancres et alias YAML, les clés "
    "données deux fois, les entiers écrits avec un zéro en tête, en octal ou en hexadécimal, .inf et "
    ".nan, et que le fuseau horaire existe."
)

TITLES = {
    "gasp": "Le Gasp (records/gasp.yaml)",
    "groups": "Un groupe",
    "people": "Une personne",
    "services": "Un service",
    "themes": "Un thème",
    "proposals": "Une proposition",
    "meetings": "Une réunion",
    "observations": "Une observation",
}


def schema_name(folder: str) -> str:
    """`meetings` → `meeting`: the schema's file name without `.schema.json`."""
    return SCHEMA_NAMES.get(folder) or folder.removesuffix("s")


def _close_maps(node: Any) -> None:
    """A map whose keys follow a pattern (places) has no other keys, as in the model."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_maps(value)
    elif isinstance(node, list):
        for value in node:
            _close_maps(value)


def schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, one per record kind."""
    found = {}
    kinds: list[tuple[str, type[BaseModel]]] = [("gasp", Gasp), *KINDS.items()]
    for folder, model in kinds:
        schema = model.model_json_schema()
        _close_maps(schema)
        schema = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"{schema_name(folder)}.schema.json",
            "$comment": SCHEMA_COMMENT,
            **schema,
        }
        schema["title"] = TITLES[folder]
        french_titles(schema)
        found[f"{schema_name(folder)}.schema.json"] = schema
    return found


# What an editor shows as a field's title: French, not pydantic's English from the key.
FIELD_TITLES = {
    "name": "Nom",
    "communes": "Communes",
    "created": "Création",
    "timezone": "Fuseau horaire",
    "school_zone": "Zone scolaire",
    "places": "Lieux",
    "sociologist": "Sociologue",
    "secretary": "Secrétaire",
    "as_of": "Arrêté au",
    "commitments": "Engagements",
    "decision_within_days": "Délai de décision (jours)",
    "minutes_within_days": "Délai du compte rendu (jours)",
    "address": "Adresse",
    "frequency": "Fréquence",
    "weekday": "Jour",
    "week": "Semaine du mois",
    "months": "Mois",
    "skip_months": "Mois sans réunion",
    "time": "Heure",
    "duration": "Durée (minutes)",
    "place": "Lieu",
    "avoid": "Dates à éviter",
    "person": "Personne",
    "since": "Depuis",
    "until": "Jusqu’au",
    "kind": "Sorte",
    "cadence": "Cadence",
    "members": "Membres",
    "guests_allowed": "Invités admis",
    "public_minutes": "Comptes rendus publics",
    "role": "Fonction",
    "service": "Service",
    "publish_name": "Nom publiable",
    "description": "Description",
    "tasks": "Missions",
    "procedures": "Démarches",
    "hours": "Horaires",
    "phone": "Téléphone",
    "email": "Courriel",
    "website": "Site internet",
    "accessibility": "Accessibilité",
    "contact": "Contact",
    "direct_phone": "Ligne directe",
    "referral": "Orientation",
    "notes": "Notes internes",
    "institution": "Institution",
    "category": "Rubrique",
    "public": "Pour le public",
    "agents": "Pour les agents",
    "title": "Intitulé",
    "theme": "Thème",
    "summary": "Résumé",
    "cost": "Coût",
    "funding": "Financements",
    "replaces": "Remplace",
    "milestones": "Étapes",
    "source": "Financeur",
    "share": "Part (%)",
    "date": "Date",
    "status": "Statut",
    "note": "Note",
    "proposal": "Proposition",
    "event": "Événement",
    "outcome": "Décision",
    "what": "Quoi",
    "who": "Qui",
    "due": "Échéance",
    "done": "Fait",
    "group": "Groupe",
    "attendees": "Présents",
    "excused": "Excusés",
    "guests": "Invités",
    "cancel_reason": "Motif d’annulation",
    "minutes_sent": "Compte rendu envoyé le",
    "problems_raised": "Tour de table",
    "topic": "Sujet retenu",
    "discussion": "Discussion",
    "proposals": "Propositions",
    "decisions": "Décisions",
    "actions": "Actions",
    "meeting": "Réunion",
    "themes": "Thèmes",
    "text": "Texte",
}
MODEL_TITLES = {
    "Place": "Lieu",
    "Cadence": "Cadence",
    "Member": "Membre",
    "PublicInfo": "Pour le public",
    "AgentsInfo": "Pour les agents",
    "Funding": "Financement",
    "Milestone": "Étape",
    "ProblemRaised": "Problème évoqué",
    "ProposalEvent": "Proposition évoquée",
    "Decision": "Décision",
    "Action": "Action",
    "Commitments": "Engagements",
}


def french_titles(schema: dict[str, Any]) -> None:
    """Give every property and definition a French title (a field unknown here: its description's start)."""
    for name, definition in schema.get("$defs", {}).items():
        definition["title"] = MODEL_TITLES.get(name, definition.get("title", name))
        french_titles(definition)
    for key, field in schema.get("properties", {}).items():
        description = field.get("description", "")
        fallback = description.split(" : ")[0].split(" (")[0].rstrip(".") or key
        field["title"] = FIELD_TITLES.get(key, fallback)


def schema_texts() -> dict[str, str]:
    return {name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n" for name, schema in schemas().items()}


# Which records each schema checks, as the yaml-language-server settings of VS Code write it.
SCHEMA_GLOBS = {
    "gasp.schema.json": ["records/gasp.yaml"],
    "group.schema.json": ["records/groups/**/*.yaml"],
    "person.schema.json": ["records/people/**/*.yaml"],
    "service.schema.json": ["records/services/**/*.yaml"],
    "theme.schema.json": ["records/themes/**/*.yaml"],
    "proposal.schema.json": ["records/proposals/**/*.yaml"],
    "meeting.schema.json": ["records/meetings/**/*.yaml"],
    "observation.schema.json": ["records/observations/**/*.yaml"],
}


def vscode_settings() -> str:
    mapping = {f"./schemas/{name}": globs for name, globs in SCHEMA_GLOBS.items()}
    return (
        json.dumps(
            {"yaml.schemas": mapping, "yaml.customTags": [], "files.encoding": "utf8"}, ensure_ascii=False, indent=2
        )
        + "\n"
    )
