"""Compliance per month as stacked bars, a small SVG the Prefect UI shows inside markdown."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from html import escape

from koereplan.compliance import Tally
from koereplan.overview import percent

MONTHS_DA = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# Colour-blind safe: on time, late, still open and overdue.
SERIES = (("Til tiden", "#1a7f37"), ("For sent", "#e69f00"), ("Åbne, overskredet", "#c0392b"))
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 760, 300, 48, 56, 40


def month_label(month: str) -> str:
    """`2026-11` -> `nov 26`."""
    year, number = month.split("-")
    return f"{MONTHS_DA[int(number) - 1]} {year[2:]}"


def compliance_svg(by_month: Mapping[str, Tally]) -> str:
    """Bars per month of due date (on time, late, overdue stacked), share on time on top."""
    months = list(by_month)
    peak: int = max((t.judged for t in by_month.values()), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 16, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(months), 1)
    bar = min(44.0, slot * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="18" font-size="14" font-weight="bold">'
        "Lovbestemte frister pr. måned (andel til tiden over søjlen)</text>",
    ]
    for i, (label, colour) in enumerate(SERIES):
        key_x = LEFT + i * 170
        parts.append(f'<rect x="{key_x}" y="28" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{key_x + 16}" y="38">{escape(label)}</text>')
    base = TOP + plot_h
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - 16}" y2="{base}" stroke="#555"/>')
    parts.append(f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{peak}</text>')
    parts.append(f'<text x="{LEFT - 6}" y="{base}" text-anchor="end">0</text>')
    for i, month in enumerate(months):
        tally = by_month[month]
        x = LEFT + i * slot + (slot - bar) / 2
        y = float(base)
        for (label, colour), count in zip(
            SERIES, (tally.on_time, tally.late, tally.overdue), strict=True
        ):
            height: float = plot_h * count / peak
            y -= height
            if count:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                    f'fill="{colour}"><title>{escape(label)}: {count}</title></rect>'
                )
        centre = x + bar / 2
        share = percent(tally.share_on_time).replace(" ", "")
        parts.append(f'<text x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle">{share}</text>')
        parts.append(
            f'<text x="{centre:.1f}" y="{base + 16}" text-anchor="middle">'
            f"{month_label(month)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def data_uri(svg: str) -> str:
    """The SVG as a `data:` URI, so a markdown image needs no file server."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
