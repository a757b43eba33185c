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


FONT = "sans-serif"
AVERAGE = 'stroke="#a4161a" stroke-width="2" stroke-dasharray="4 3"'


def _text(x: float, y: float, content: str, font: str, anchor: str = "start") -> str:
    """A label, its presentation in attributes (an inline SVG is drawn alike on the page and in the PDF)."""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="11" fill="#222" '
        f'font-family="{escape(font)}">{escape(content)}</text>'
    )


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


def bars(
    title: str, description: str, items: list[Bar], *, average: Decimal | None = None, scale=None, font: str = FONT
) -> SafeString:
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
            _text(LABEL - 6, y + BAR - 5, item.label, font, "end")
            + f'<rect x="{LABEL}" y="{y}" width="{length:.1f}" height="{BAR}" fill="#2f6690"></rect>'
            + _text(LABEL + length + 4, y + BAR - 5, item.shown, font)
        )
    height = 20 + len(items) * (BAR + GAP)
    if average is not None:
        x = LABEL + plot * float(average) / scale
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 8}" {AVERAGE}></line>'
            + _text(x + 3, height - 2, percent(average), font)
        )
    return _svg(height + 6, title, description, "".join(parts))


def cumulative(title: str, description: str, months: list[tuple[str, int]], plan: int, font: str = FONT) -> SafeString:
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
    parts = [f'<line x1="{left}" y1="{20 + plot_h}" x2="{WIDTH - right}" y2="{20 + plot_h}" stroke="#666"></line>']
    for index, (label, _amount) in enumerate(months):
        parts.append(_text(left + index * step, height - 8, label, font, "middle"))
    if plan:
        y = 20 + plot_h - plot_h * plan / top
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" {AVERAGE}></line>')
        parts.append(_text(left - 4, y + 4, money(plan // 1_000_000), font, "end"))
    if points:
        line = 'fill="none" stroke="#2f6690" stroke-width="2.5"'
        parts.append(f'<polyline points="{" ".join(points)}" {line}></polyline>')
        last = points[-1].split(",")
        parts.append(_text(float(last[0]) - 4, float(last[1]) - 6, money(totals[-1] // 1_000_000), font, "end"))
    return _svg(height, title, description, "".join(parts))


def short(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def status_charts(ratios: list[tuple[str, Decimal | None]], total_ratio, summary, months, font: str = FONT) -> dict:
    """The three charts of a national or regional view, with the rows of their tables.

    `ratios`: (unit, % disbursed to date) of the units with approved support; `summary` the report's
    (`figures.summary`) for the plan and the contents; `months` from `figures.monthly_payments`.
    """
    from django.utils.translation import gettext as _

    by_ratio = sorted(ratios, key=lambda item: item[1] or 0, reverse=True)
    ratio_chart = bars(
        _("Disbursed (%) by province"),
        _("Each province's payments to date as a share of its approved KC support; the line is the national figure."),
        [Bar(name, value or 0, percent(value)) for name, value in by_ratio],
        average=total_ratio,
        scale=max([100, *(float(value or 0) for _name, value in by_ratio)]),
        font=font,
    )
    plan = summary.total.planned_amount
    cumulative_chart = cumulative(
        _("Cumulative disbursement by month, against the plan"),
        _(
            "Payments from the start of the year on the year's projects, month by month (triệu đồng); the level "
            "line is the year's plan."
        ),  # fmt: skip
        [(f"{day:%m/%Y}", amount) for day, amount in months],
        plan,
        font,
    )
    lines = sorted((line for block in summary.blocks for line in block.lines), key=lambda line: line.cumulative,
                   reverse=True)  # fmt: skip
    content_chart = bars(
        _("Money disbursed by activity content (triệu đồng)"),
        _("Payments from the start of the year by activity content, largest first."),
        [Bar(short(f"{line.content_code} {line.label}"), line.cumulative, money(line.cumulative // 1_000_000))
         for line in lines],
        font=font,
    )  # fmt: skip
    running, cumulative_rows = 0, []
    for day, amount in months:
        running += amount
        cumulative_rows.append((day, amount, running))
    return {
        "ratio": ratio_chart,
        "ratio_rows": by_ratio,
        "cumulative": cumulative_chart,
        "cumulative_rows": cumulative_rows,
        "plan": plan,
        "content": content_chart,
        "content_rows": lines,
    }
