"""The network's totals and its JSON: counts summed, medians over every site's values."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .vocabulary import round_half_up

if TYPE_CHECKING:  # for the annotations only: like pydantic, these are imported where they are used
    pass
from .network_sites import SiteResult

# --- the totals ----------------------------------------------------------------------------


def _median(values: list[int]) -> int | float | None:
    from .documents.rapport import _whole_or_none

    return _whole_or_none(statistics.median(values)) if values else None


def network_totals(year: int, results: list[SiteResult]) -> dict[str, Any]:
    """The keys of a report, over the `ok` sites: counts summed, medians over all their values.

    A group id, a theme id or a person id means something only in its site: groups are
    summed by kind (agents, usagers…), and ids are written `<site>/<id>`.
    """
    from .documents.rapport import _whole
    from .vocabulary import KIND_ORDER

    groups: dict[str, dict[str, Any]] = {}
    attendance: dict[str, list[int]] = {}
    raised = awaiting = implemented = open_actions = 0
    decided: dict[str, int] = {}
    decisions: list[int] = []
    minutes: list[int] = []
    funding: dict[str, float] = {}
    institutions: list[str] = []
    arrivals: list[dict[str, Any]] = []
    departures: list[dict[str, Any]] = []
    guests: list[str] = []
    themes: dict[str, set[str]] = {}
    shared: dict[str, list[str]] = {}
    within: int | None = None
    next_year: list[dict[str, Any]] = []
    # Shares and medians do not add up: each site's indicator rows, named by their site.
    indicators: list[dict[str, Any]] = []
    for result in results:
        if result.status != "ok" or result.report_json is None:
            continue
        report = json.loads(result.report_json)
        site = result.site.id
        kinds: dict[str, str] = {}
        for gid, group in report["groups"].items():
            kinds[gid] = group["kind"]
            total = groups.setdefault(group["kind"], {"kind": group["kind"], "due": 0, "held": 0, "cancelled": 0})
            for key in ("due", "held", "cancelled"):
                total[key] += group[key]
            attendance.setdefault(group["kind"], []).extend(result.attendance.get(gid, []))
        proposals = report["proposals"]
        raised += proposals["raised"]
        awaiting += proposals["awaiting_decision"]
        implemented += proposals["implemented"]
        for outcome, count in proposals["decided"].items():
            decided[outcome] = decided.get(outcome, 0) + count
        decisions.extend(result.days_to_decision)
        minutes.extend(result.days_to_minutes)
        open_actions += report["open_actions"]
        for source, euros in report["funding"].items():
            funding[source] = funding.get(source, 0.0) + euros
        institutions.extend(f"{site}/{i}" for i in report["institutions"])
        arrivals.extend({"site": site, **m} for m in report["arrivals"])
        departures.extend({"site": site, **m} for m in report["departures"])
        guests.extend(f"{site}/{i}" for i in report["guest_institutions"])
        for gid, ids in report["themes"].items():
            themes.setdefault(kinds.get(gid, gid), set()).update(f"{site}/{t}" for t in ids)
        for theme, gids in report["shared_themes"].items():
            shared[f"{site}/{theme}"] = [f"{site}/{g}" for g in gids]
        if report["decided_within_commitment"] is not None:
            within = (within or 0) + report["decided_within_commitment"]
        next_year.extend({"site": site, **row} for row in report["next_year"])
        indicators.extend({"site": site, **row} for row in report.get("indicators", []))
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    by_kind = {}
    for kind in sorted(groups, key=lambda k: order.get(k, len(order))):
        seen = attendance.get(kind, [])
        by_kind[kind] = {
            **groups[kind],
            "attendance_mean": round_half_up(statistics.fmean(seen), 1) if seen else None,
            "attendance_min": min(seen) if seen else None,
            "attendance_max": max(seen) if seen else None,
        }
    return {
        "year": year,
        "groups": by_kind,
        "proposals": {"raised": raised, "decided": decided, "awaiting_decision": awaiting, "implemented": implemented},
        "median_days_to_decision": _median(decisions),
        "open_actions": open_actions,
        "funding": {source: _whole(euros) for source, euros in sorted(funding.items())},
        "institutions": sorted(institutions),
        # `person` is null for someone who did not consent to be named (gasp report's JSON).
        "arrivals": sorted(arrivals, key=lambda m: (m["date"], m["site"], m["person"] or "")),
        "departures": sorted(departures, key=lambda m: (m["date"], m["site"], m["person"] or "")),
        "guest_institutions": sorted(guests),
        "themes": {kind: sorted(themes[kind]) for kind in sorted(themes, key=lambda k: order.get(k, len(order)))},
        "shared_themes": dict(sorted(shared.items())),
        "decided_within_commitment": within,
        "median_days_to_minutes": _median(minutes),
        "next_year": sorted(next_year, key=lambda r: (r["date"], r.get("time") or "", r["site"])),
        "indicators": indicators,
    }


def json_chunks(year: int, results: list[SiteResult], totals: dict[str, Any]) -> Iterator[str]:
    """The network's JSON, `{year, sites, totals}`, a site at a time.

    Each site's report is written as the cache keeps it, on one line: re-indenting
    thousands of reports took longer than the whole warm run (Python's JSON encoder
    has no C path with `indent`).
    """

    def indented(value: Any, depth: int) -> str:
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)

    yield "{\n" + f'  "year": {year},\n  "sites": {{'
    for index, result in enumerate(results):
        entry = indented(
            {"name": result.site.name, "commit": result.commit, "status": result.status, "reason": result.reason}, 2
        )
        report = result.report_json if result.report_json is not None else "null"
        comma = "," if index < len(results) - 1 else ""
        # `entry` ends with "\n    }": the report goes in before that brace.
        yield f'\n    {json.dumps(result.site.id, ensure_ascii=False)}: {entry[:-6]},\n      "report": {report}\n    }}{comma}'
    yield ("\n  }," if results else "},") + f'\n  "totals": {indented(totals, 1)}\n}}\n'
