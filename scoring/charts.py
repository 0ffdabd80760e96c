"""Small inline SVG charts drawn on the server (no JavaScript library, no CDN).

Each chart carries a ``<title>`` and ``role="img"`` with a label; the page also
shows the same numbers in a table, so the chart is never the only way to read them.
"""

from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.templatetags.formatting import score as score_text

WIDTH, HEIGHT = 320, 150
LEFT, RIGHT, TOP, BOTTOM = 30, 10, 18, 24


def _x(index: int, count: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + inner * (index + 0.5) / max(count, 1)


def _frame(title: str, body: list[str]) -> SafeString:
    head = format_html(
        '<svg class="standing-chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>', WIDTH, HEIGHT, title, title)
    axis = (f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" '
            'class="axis"/>')
    return mark_safe(head + axis + "".join(body) + "</svg>")  # noqa: S308 - every text part is escaped above


def _labels(labels: list[str]) -> list[str]:
    return [f'<text x="{_x(i, len(labels)):.1f}" y="{HEIGHT - 8}" text-anchor="middle" class="label">'
            f'{escape(label)}</text>' for i, label in enumerate(labels)]


def score_chart(*, title: str, labels: list[str], scores: list[Decimal | None], top: Decimal) -> SafeString:
    """Bars of the score per period, each with its value; ``top`` is the value of the full height."""
    values = [s for s in scores if s is not None]
    top = max([top, *values]) if values else top
    top = top if top > 0 else Decimal("1")
    inner_height = HEIGHT - TOP - BOTTOM
    bar = (WIDTH - LEFT - RIGHT) / max(len(labels), 1) * 0.5
    body = [f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" class="label">{escape(score_text(top))}</text>',
            f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" text-anchor="end" class="label">0</text>']
    for index, value in enumerate(scores):
        if value is None:
            continue
        height = float(value / top) * inner_height
        x, y = _x(index, len(labels)), HEIGHT - BOTTOM - height
        body.append(f'<rect x="{x - bar / 2:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" class="bar"/>')
        body.append(f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="value">'
                    f'{escape(score_text(value))}</text>')
    return _frame(title, body + _labels(labels))


def rank_chart(*, title: str, labels: list[str], ranks: list[int | None], count: int) -> SafeString:
    """The rank per period as a line, rank 1 at the top; gaps where a period has no rank."""
    count = max([count, *[r for r in ranks if r is not None], 1])
    inner_height = HEIGHT - TOP - BOTTOM

    def y(rank: int) -> float:
        return TOP + (inner_height * (rank - 1) / (count - 1) if count > 1 else inner_height / 2)

    body = [f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" class="label">1</text>',
            f'<text x="{LEFT - 4}" y="{HEIGHT - BOTTOM}" text-anchor="end" class="label">{count}</text>']
    segment: list[str] = []
    for index, rank in enumerate([*ranks, None]):
        if rank is None:
            if len(segment) > 1:
                body.append(f'<polyline points="{" ".join(segment)}" class="line"/>')
            segment = []
            continue
        point = f"{_x(index, len(labels)):.1f},{y(rank):.1f}"
        segment.append(point)
    for index, rank in enumerate(ranks):
        if rank is None:
            continue
        x, top = _x(index, len(labels)), y(rank)
        body.append(f'<circle cx="{x:.1f}" cy="{top:.1f}" r="3.5" class="dot"/>')
        body.append(f'<text x="{x:.1f}" y="{top - 6:.1f}" text-anchor="middle" class="value">#{rank}</text>')
    return _frame(title, body + _labels(labels))
