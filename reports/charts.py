"""Charts drawn on the server as SVG: no JavaScript and no CDN needed to see them, printable, in the PDF too.

Each chart is a figure with a title, a description (`<desc>`) and its data beside it as a table
(the templates print it), so a screen reader or a printout without images loses nothing. The
figures come from `reports.figures` through `reports.status`; nothing here computes a sum.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from programmes.lib.formatting import money, percent

WIDTH = 720
BAR = 18
GAP = 6
LABEL = 190
NUMBERS = 80


@dataclass
class Bar:
    label: str
    value: Decimal | int | None
    shown: str


def _svg(height: int, title: str, description: str, body: str) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{body}</svg>',
        id=f"chart-{zlib.crc32(title.encode()):08x}",
        w=WIDTH,
        h=height,
        title=title,
        desc=description,
        body=mark_safe(body),  # noqa: S308  (built from escaped parts below)
    )


def bars(title: str, description: str, items: list[Bar], *, average: Decimal | None = None, scale=None) -> SafeString:
    """Horizontal bars, longest first as given, with an optional average drawn as a line."""
    top = max((float(item.value or 0) for item in items), default=0)
    if average is not None:
        top = max(top, float(average))
    scale = scale or (top or 1)
    plot = WIDTH - LABEL - NUMBERS
    parts = []
    for index, item in enumerate(items):
        y = 10 + index * (BAR + GAP)
        length = plot * float(item.value or 0) / scale
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + BAR - 5}" text-anchor="end" class="chart-label">{escape(item.label)}</text>'
            f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" class="chart-bar"></rect>'
            f'<text x="{LABEL + length + 4:.1f}" y="{y + BAR - 5}" class="chart-value">{escape(item.shown)}</text>'
        )
    height = 20 + len(items) * (BAR + GAP)
    if average is not None:
        x = LABEL + plot * float(average) / scale
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 8}" class="chart-average"></line>'
            f'<text x="{x + 3:.1f}" y="{height - 2}" class="chart-value">{escape(percent(average))}</text>'
        )
    return _svg(height + 6, title, description, "".join(parts))


def cumulative(title: str, description: str, months: list[tuple[str, int]], plan: int) -> SafeString:
    """The cumulative amount month by month as a line, against the year's plan as a level line."""
    height, left, bottom, right = 260, 90, 30, 20
    plot_w, plot_h = WIDTH - left - right, height - bottom - 20
    running, points = 0, []
    totals = []
    for _label, amount in months:
        running += amount
        totals.append(running)
    top = max([plan, *totals, 1])
    step = plot_w / max(len(months) - 1, 1)
    for index, total in enumerate(totals):
        points.append(f"{left + index * step:.1f},{20 + plot_h - plot_h * total / top:.1f}")
    parts = [f'<line x1="{left}" y1="{20 + plot_h}" x2="{WIDTH - right}" y2="{20 + plot_h}" class="chart-axis"></line>']
    for index, (label, _amount) in enumerate(months):
        parts.append(
            f'<text x="{left + index * step:.1f}" y="{height - 8}" text-anchor="middle" class="chart-label">'
            f"{escape(label)}</text>"
        )
    if plan:
        y = 20 + plot_h - plot_h * plan / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" class="chart-average"></line>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="chart-value">'
                     f"{escape(money(plan // 1_000_000))}</text>")  # fmt: skip
    if points:
        parts.append(f'<polyline points="{" ".join(points)}" class="chart-line"></polyline>')
        last = points[-1].split(",")
        parts.append(
            f'<text x="{float(last[0]) - 4:.1f}" y="{float(last[1]) - 6:.1f}" text-anchor="end" class="chart-value">'
            f"{escape(money(totals[-1] // 1_000_000))}</text>"
        )
    return _svg(height, title, description, "".join(parts))
