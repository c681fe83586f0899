"""JSON Schemas of the record kinds, generated from the models, for editors (yaml-language-server)."""

from __future__ import annotations

import json

from .creating import SCHEMA_NAMES
from .models import KINDS, Gasp

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schemas() -> dict[str, dict]:
    """File name → schema, one per record kind."""
    found = {}
    for folder, model in [("gasp", Gasp), *KINDS.items()]:
        schema = model.model_json_schema()
        schema = {"$schema": SCHEMA_DIALECT, "$id": f"{SCHEMA_NAMES[folder]}.schema.json", **schema}
        schema["title"] = {
            "gasp": "Le Gasp (records/gasp.yaml)", "groups": "Un groupe", "people": "Une personne",
            "services": "Un service", "themes": "Un thème", "proposals": "Une proposition", "meetings": "Une réunion",
        }[folder]
        found[f"{SCHEMA_NAMES[folder]}.schema.json"] = schema
    return found


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
}


def vscode_settings() -> str:
    mapping = {f"./schemas/{name}": globs for name, globs in SCHEMA_GLOBS.items()}
    return json.dumps({"yaml.schemas": mapping, "yaml.customTags": [], "files.encoding": "utf8"},
                      ensure_ascii=False, indent=2) + "\n"
