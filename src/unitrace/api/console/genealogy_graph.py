"""A genealogy laid out as a graph a person can read: inputs on the left, outputs on the
right, one column per level of transformation, an arrow from each input to what it went
into. The trace page draws it as inline SVG from these positions (no script: the page
renders it on the server, and Jinja escapes every label).

>>> from unitrace.services.trace import Genealogy, GenealogyLink, GenealogyNode
>>> made = Genealogy(
...     nodes=(GenealogyNode("d", "(01)1(21)D", "unit", 0), GenealogyNode("r", "R", "lot", 1)),
...     links=(GenealogyLink("e", None, "assembling", "r", "d"),),
... )
>>> graph = genealogy_graph(made, toward="inputs")
>>> [(box.label, box.column) for box in graph.boxes], len(graph.arrows)
([('R', 0), ('(01)1(21)D', 1)], 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from unitrace.services.trace import Genealogy, GenealogyNode

#: Sizes in the SVG's own units.
BOX_WIDTH: Final = 230
BOX_HEIGHT: Final = 44
COLUMN_GAP: Final = 90
ROW_GAP: Final = 14
MARGIN: Final = 10
#: The most objects a column shows; the rest are counted in a last box.
COLUMN_LIMIT: Final = 40


@dataclass(frozen=True, slots=True)
class Box:
    label: str
    kind: str
    column: int
    x: int
    y: int
    #: the subject of the trace, inspected, a box standing for objects left out
    subject: bool = False
    inspected: bool = False
    more: bool = False
    #: a few words under the label: the inspections' dispositions, or how many are left out
    note: str = ""


@dataclass(frozen=True, slots=True)
class Arrow:
    x1: int
    y1: int
    x2: int
    y2: int
    step: str


@dataclass(frozen=True, slots=True)
class GenealogyGraph:
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    width: int
    height: int


def genealogy_graph(
    genealogy: Genealogy, *, toward: Literal["inputs", "outputs"]
) -> GenealogyGraph:
    """The boxes and arrows of ``genealogy``: back (``toward="inputs"``) the deepest inputs
    in the leftmost column and the subject on the right; forward the subject on the left."""
    deepest = max((node.depth for node in genealogy.nodes), default=0)
    columns: dict[int, list[GenealogyNode]] = {}
    for node in genealogy.nodes:
        column = deepest - node.depth if toward == "inputs" else node.depth
        columns.setdefault(column, []).append(node)
    boxes: list[Box] = []
    where: dict[str, Box] = {}
    rows = 0
    for column in sorted(columns):
        nodes = sorted(columns[column], key=lambda node: (node.kind, node.code))
        shown = nodes[:COLUMN_LIMIT]
        x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
        for row, node in enumerate(shown):
            dispositions = sorted({seen.disposition or "inspected" for seen in node.inspections})
            box = Box(
                label=node.code,
                kind=node.kind,
                column=column,
                x=x,
                y=MARGIN + row * (BOX_HEIGHT + ROW_GAP),
                subject=node.depth == 0,
                inspected=bool(node.inspections),
                note=", ".join(_word(word) for word in dispositions) or node.kind,
            )
            boxes.append(box)
            where[node.epc] = box
        if len(nodes) > len(shown):
            left_out = len(nodes) - len(shown)
            boxes.append(
                Box(
                    label=f"{left_out:,} more",
                    kind="more",
                    column=column,
                    x=x,
                    y=MARGIN + len(shown) * (BOX_HEIGHT + ROW_GAP),
                    more=True,
                    note="not drawn",
                )
            )
        rows = max(rows, len(shown) + (1 if len(nodes) > len(shown) else 0))
    arrows = []
    for link in genealogy.links:
        start, end = where.get(link.input), where.get(link.output)
        if start is None or end is None:
            continue
        left, right = (start, end) if start.x < end.x else (end, start)
        arrows.append(
            Arrow(
                x1=left.x + BOX_WIDTH,
                y1=left.y + BOX_HEIGHT // 2,
                x2=right.x,
                y2=right.y + BOX_HEIGHT // 2,
                step=_word(link.biz_step or "transformation"),
            )
        )
    width = 2 * MARGIN + len(columns) * BOX_WIDTH + max(0, len(columns) - 1) * COLUMN_GAP
    height = 2 * MARGIN + rows * BOX_HEIGHT + max(0, rows - 1) * ROW_GAP
    return GenealogyGraph(tuple(boxes), tuple(arrows), width, height)


def _word(spelling: str) -> str:
    """A CBV word without its prefix, for a label."""
    return spelling.rsplit(":", 1)[-1].rsplit("-", 1)[-1] if ":" in spelling else spelling
