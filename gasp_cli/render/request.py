"""What a render is asked, and the PDF standards it holds to: plain data, read by the render
(render/documents.py) and by its input keys (render/inputs.py) alike."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

# Every PDF is PDF/UA-1 (accessible: tagged, header cells, alt text, title shown) and
# PDF/A-2a (archivable, level A: tagged, Unicode text). Typst refuses what breaks either.
PDF_STANDARDS = ("ua-1", "a-2a")


@dataclass
class RenderRequest:
    meeting_ids: list[str]
    formats: tuple[str, ...]
    kinds: tuple[str, ...]
    today: datetime.date  # the day the records are judged on
    edition_date: datetime.date  # the date printed on the guides and the index
    timestamp: datetime.datetime
