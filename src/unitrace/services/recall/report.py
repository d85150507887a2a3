"""The recall report for the regulator's file, as a PDF: the recall (reason, class, markets,
instructions), its scope, its timeline (opened, each party's answers, closed), each party's
status, and its effectiveness (units recovered against units affected, and how)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from unitrace.registry.model import Actor, Role
from unitrace.services.recall.progress import RecallProgress, find_recall, progress_of
from unitrace.store.unit_of_work import UnitOfWork

_STYLES = getSampleStyleSheet()
#: the longest text a table's cell shows
CELL_TEXT = 300
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def recall_report(uow: UnitOfWork, recall_id: int, actor: Actor) -> bytes:
    """The PDF report of recall ``recall_id``, as ``actor`` may read it."""
    recall = find_recall(uow, recall_id, actor)
    found = progress_of(uow, recall, actor)
    party = actor.party_id if actor.role is Role.DISTRIBUTOR else None
    responses = uow.recalls.responses(recall_id, party_id=party)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Recall {found.id} report",
        author="unitrace",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
    )
    story: list[Any] = [Paragraph(f"Recall {found.id}: report", _STYLES["Title"])]
    story += _section("Recall", _recall_rows(found))
    # a text too long for a table's cell (a table's row is never split across pages) is cut
    # there and given in full after the tables, where it runs over as many pages as it needs
    in_full = [
        (name, text)
        for name, text in (
            ("Reason", found.reason),
            ("Instructions", found.instructions),
            ("Reason for closing", found.close_reason or ""),
        )
        if len(text) > CELL_TEXT
    ]
    story += _section("Scope", _scope_rows(found))
    timeline = [["When (UTC)", "What", "Who"]]
    timeline.append(
        [
            _when(found.created_at),
            f"Opened: {found.affected.units} units blocked (event {found.event_id})",
            found.created_by,
        ]
    )
    for answer in responses:
        said = (
            f"{answer.party_id} answered: acknowledged {_yes(answer.acknowledged)}, on hand "
            f"{answer.on_hand}, returned {answer.returned}, destroyed {answer.destroyed}, "
            f"completed {_yes(answer.completed)}"
            + (f"; {_cut(answer.note)}" if answer.note else "")
        )
        timeline.append([_when(answer.at), said, answer.by])
        if answer.note and len(answer.note) > CELL_TEXT:
            in_full.append((f"{answer.party_id}'s note of {_when(answer.at)}", answer.note))
    if found.closed_at is not None:
        timeline.append([_when(found.closed_at), f"Closed: {_cut(found.close_reason or '')}", ""])
    story += _section("Timeline", timeline, widths=(32, 118, 24))
    parties = [
        [
            "Party",
            "Units",
            "Ack.",
            "On hand",
            "Returned",
            "Destroyed",
            "Done",
            "Recovered",
            "Overdue",
        ]
    ]
    for line in found.affected.by_custodian:
        parties.append(
            [
                line.party,
                str(line.units),
                _yes(line.acknowledged),
                str(line.on_hand),
                str(line.returned),
                str(line.destroyed),
                _yes(line.completed),
                str(line.recovered),
                _yes(line.overdue),
            ]
        )
    if len(parties) == 1:
        parties.append(["(no party holds affected units)", "", "", "", "", "", "", "", ""])
    story += _section("Per-party status (numbers as each party answered)", parties)
    recovered = found.recovered
    effectiveness = [
        ["Measure", "Units"],
        ["Affected", str(found.affected.units)],
        ["Recovered", f"{recovered.units} ({recovered.percent:.1f} %)"],
        ["  returned to the brand (receiving events)", str(recovered.returned)],
        ["  destroyed (destroying events)", str(recovered.destroyed)],
        ["  consumed before the recall", str(recovered.consumed)],
        ["Still out", str(found.affected.units - recovered.units)],
    ]
    effectiveness += [[f"  now {state}", str(n)] for state, n in found.affected.by_state.items()]
    story += _section("Effectiveness (counted from events)", effectiveness, widths=(110, 64))
    if in_full:
        story += [Spacer(1, 4 * mm), Paragraph("Texts in full", _STYLES["Heading2"])]
        for name, text in in_full:
            story += [
                Paragraph(escape(name), _STYLES["Heading3"]),
                Paragraph(escape(text), _STYLES["BodyText"]),
            ]
    document.build(story)
    return out.getvalue()


def _recall_rows(found: RecallProgress) -> list[list[str]]:
    return [
        ["Field", "Value"],
        ["Status", found.status],
        ["Reason", _cut(found.reason)],
        ["Classification", found.classification or "not given"],
        ["Markets", ", ".join(found.markets) or "not given"],
        ["Instructions", _cut(found.instructions)],
        ["Opened", f"{_when(found.created_at)} by {found.created_by}"],
        ["Parties to acknowledge by", _when(found.respond_by)],
    ]


def _scope_rows(found: RecallProgress) -> list[list[str]]:
    rows = [["Part", "Entry"]]
    for key in found.scope.get("lots", []):
        rows.append(["lot", f"(01){key['gtin']}(10){key['lot']}"])
    for code in found.scope.get("units", []):
        rows.append(["unit", str(code)])
    for key in found.scope.get("component_lots", []):
        rows.append(["component lot", f"(01){key['gtin']}(10){key['lot']}"])
    return rows


def _section(title: str, rows: list[list[str]], widths: tuple[int, ...] | None = None) -> list[Any]:
    cells = [[Paragraph(escape(cell), _STYLES["BodyText"]) for cell in row] for row in rows]
    table = Table(cells, colWidths=[w * mm for w in widths] if widths else None, repeatRows=1)
    table.setStyle(_GRID)
    return [Spacer(1, 4 * mm), Paragraph(escape(title), _STYLES["Heading2"]), table]


def _cut(text: str) -> str:
    """``text`` as a table's cell shows it: at most :data:`CELL_TEXT` characters."""
    if len(text) <= CELL_TEXT:
        return text
    return text[:CELL_TEXT] + " … (in full below)"


def _when(at: Any) -> str:
    return str(at.strftime("%Y-%m-%d %H:%M"))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
