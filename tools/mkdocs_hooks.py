"""MkDocs hook: the guide's file blocks, shown on the site as they read on the forge.

docs/guide-secretaire.md names the file a block writes or shows after its language
(```` ```yaml records/themes/logement.yaml ````): tests/test_docs.py replays it. Python-Markdown
takes such a fence for text; this hook puts the file name on its own line above the block.
"""

from __future__ import annotations

import re
from typing import Any

FILE_FENCE = re.compile(r"^(?P<fence>`{3,})(?P<language>\w+)[ \t]+(?P<path>\S+)[ \t]*$", re.M)


def on_page_markdown(markdown: str, **_: Any) -> str:
    return FILE_FENCE.sub(lambda m: f"`{m['path']}` :\n\n{m['fence']}{m['language']}", markdown)
