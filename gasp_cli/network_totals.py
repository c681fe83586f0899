"""The network's totals and its JSON: counts summed, medians over every site's values."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .network_sites import SiteResult
from .vocabulary import round_half_up


def _median(values: list[int]) -> int | float | None:
    from .documents.rapport_chiffres import _whole_or_none

    return _whole_or_none(statistics.median(values)) if values else None


@dataclass
class _Sums:
    """What the `ok` sites add up to, before it is put in a report's keys."""

    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    attendance: dict[str, list[int]] = field(default_factory=dict)
    raised: int = 0
    awaiting: int = 0
    implemented: int = 0
    open_actions: int = 0
    decided: dict[str, int] = field(default_factory=dict)
    decisions: list[int] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)
    funding: dict[str, float] = field(default_factory=dict)
    institutions: list[str] = field(default_factory=list)
    arrivals: list[dict[str, Any]] = field(default_factory=list)
    departures: list[dict[str, Any]] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    themes: dict[str, set[str]] = field(default_factory=dict)
    shared: dict[str, list[str]] = field(default_factory=dict)
    within: int | None = None
    next_year: list[dict[str, Any]] = field(default_factory=list)
    # Shares and medians do not add up: each site's indicator rows, named by their site.
    indicators: list[dict[str, Any]] = field(default_factory=list)


def _add_groups(sums: _Sums, result: SiteResult, report: dict[str, Any]) -> dict[str, str]:
    """The site's groups summed by kind; returns the kind of each of its group ids."""
    kinds: dict[str, str] = {}
    for gid, group in report["groups"].items():
        kinds[gid] = group["kind"]
        total = sums.groups.setdefault(group["kind"], {"kind": group["kind"], "due": 0, "held": 0, "cancelled": 0})
        for key in ("due", "held", "cancelled"):
            total[key] += group[key]
        sums.attendance.setdefault(group["kind"], []).extend(result.attendance.get(gid, []))
    return kinds


def _add_proposals(sums: _Sums, result: SiteResult, report: dict[str, Any]) -> None:
    proposals = report["proposals"]
    sums.raised += proposals["raised"]
    sums.awaiting += proposals["awaiting_decision"]
    sums.implemented += proposals["implemented"]
    for outcome, count in proposals["decided"].items():
        sums.decided[outcome] = sums.decided.get(outcome, 0) + count
    sums.decisions.extend(result.days_to_decision)
    sums.minutes.extend(result.days_to_minutes)
    if report["decided_within_commitment"] is not None:
        sums.within = (sums.within or 0) + report["decided_within_commitment"]


def _add_named(sums: _Sums, site: str, report: dict[str, Any], kinds: dict[str, str]) -> None:
    """What is named in its site only: written `<site>/<id>`, or given a `site` key."""
    sums.institutions.extend(f"{site}/{i}" for i in report["institutions"])
    sums.arrivals.extend({"site": site, **m} for m in report["arrivals"])
    sums.departures.extend({"site": site, **m} for m in report["departures"])
    sums.guests.extend(f"{site}/{i}" for i in report["guest_institutions"])
    for gid, ids in report["themes"].items():
        sums.themes.setdefault(kinds.get(gid, gid), set()).update(f"{site}/{t}" for t in ids)
    for theme, gids in report["shared_themes"].items():
        sums.shared[f"{site}/{theme}"] = [f"{site}/{g}" for g in gids]
    sums.next_year.extend({"site": site, **row} for row in report["next_year"])
    sums.indicators.extend({"site": site, **row} for row in report.get("indicators", []))


def _add_site(sums: _Sums, result: SiteResult, report: dict[str, Any]) -> None:
    kinds = _add_groups(sums, result, report)
    _add_proposals(sums, result, report)
    sums.open_actions += report["open_actions"]
    for source, euros in report["funding"].items():
        sums.funding[source] = sums.funding.get(source, 0.0) + euros
    _add_named(sums, result.site.id, report, kinds)


def _kind_order() -> Callable[[str], int]:
    from .vocabulary import KIND_ORDER

    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    return lambda kind: order.get(kind, len(order))


def _groups_by_kind(sums: _Sums) -> dict[str, dict[str, Any]]:
    """Each kind's groups summed, with the attendance of all their meetings."""
    by_kind = {}
    for kind in sorted(sums.groups, key=_kind_order()):
        seen = sums.attendance.get(kind, [])
        by_kind[kind] = {
            **sums.groups[kind],
            "attendance_mean": round_half_up(statistics.fmean(seen), 1) if seen else None,
            "attendance_min": min(seen) if seen else None,
            "attendance_max": max(seen) if seen else None,
        }
    return by_kind


def _by_date_and_person(movement: dict[str, Any]) -> tuple[str, str, str]:
    # `person` is null for someone who did not consent to be named (gasp report's JSON).
    return (movement["date"], movement["site"], movement["person"] or "")


def network_totals(year: int, results: list[SiteResult]) -> dict[str, Any]:
    """The keys of a report, over the `ok` sites: counts summed, medians over all their values.

    A group id, a theme id or a person id means something only in its site: groups are
    summed by kind (agents, usagers…), and ids are written `<site>/<id>`.
    """
    from .documents.rapport_chiffres import _whole

    sums = _Sums()
    for result in results:
        if result.status == "ok" and result.report_json is not None:
            _add_site(sums, result, json.loads(result.report_json))
    proposals = {
        "raised": sums.raised,
        "decided": sums.decided,
        "awaiting_decision": sums.awaiting,
        "implemented": sums.implemented,
    }
    return {
        "year": year,
        "groups": _groups_by_kind(sums),
        "proposals": proposals,
        "median_days_to_decision": _median(sums.decisions),
        "open_actions": sums.open_actions,
        "funding": {source: _whole(euros) for source, euros in sorted(sums.funding.items())},
        "institutions": sorted(sums.institutions),
        "arrivals": sorted(sums.arrivals, key=_by_date_and_person),
        "departures": sorted(sums.departures, key=_by_date_and_person),
        "guest_institutions": sorted(sums.guests),
        "themes": {kind: sorted(sums.themes[kind]) for kind in sorted(sums.themes, key=_kind_order())},
        "shared_themes": dict(sorted(sums.shared.items())),
        "decided_within_commitment": sums.within,
        "median_days_to_minutes": _median(sums.minutes),
        "next_year": sorted(sums.next_year, key=lambda r: (r["date"], r.get("time") or "", r["site"])),
        "indicators": sums.indicators,
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
