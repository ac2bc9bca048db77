"""Server-drawn charts: the geometry of bar and line charts for an inline <svg> (no script, no CDN).

The template `arrears/chart.html` draws a `Chart`; every text on it (caption, axis labels, series
names) comes translated from the view, and the figure carries a <table> of the same values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 16, 52
STEPS = (1, 2, 2.5, 5, 10)


@dataclasses.dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str  # the value as the table shows it, for a hover tooltip


@dataclasses.dataclass(frozen=True)
class Dot:
    x: float
    y: float
    title: str


@dataclasses.dataclass(frozen=True)
class Series:
    name: str
    css: str  # s0, s1: the colour, from the page's style block
    bars: list[Bar]
    dots: list[Dot]

    @property
    def points(self) -> str:
        return " ".join(f"{d.x:.1f},{d.y:.1f}" for d in self.dots)


@dataclasses.dataclass(frozen=True)
class Tick:
    at: float
    text: str


@dataclasses.dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    x_label: str
    y_label: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[Series]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    right_edge: int = WIDTH - RIGHT
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def x_label_at(self) -> tuple[float, float]:
        return (LEFT + (WIDTH - LEFT - RIGHT) / 2, HEIGHT - 8)

    @property
    def y_label_at(self) -> tuple[float, float]:
        return (14, TOP + (HEIGHT - TOP - BOTTOM) / 2)


def nice_top(value: Decimal) -> Decimal:
    """The smallest 'round' number (1, 2, 2.5 or 5 times a power of ten) at or above the value."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(1)
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in STEPS:
        top = Decimal(str(step)) * power
        if top >= value:
            return top
    return power * 10  # pragma: no cover - STEPS ends at 10


def chart(
    *,
    id: str,
    caption: str,
    x_label: str,
    y_label: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None], Sequence[str]]],
    kind: str = "bar",
    fixed_top: Decimal | None = None,
    tick_text: str = "{:,.0f}",
) -> Chart:
    """A chart of one or more series over the categories: grouped bars, or lines with dots. A value
    of None (nothing to divide) draws nothing. Each series is (name, values, the values as text)."""
    values = [v for _, vs, _ in series for v in vs if v is not None]
    top = fixed_top if fixed_top is not None else nice_top(max(values, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(categories))

    def y_of(v: Decimal) -> float:
        return TOP + plot_h - float(v / top) * plot_h

    drawn: list[Series] = []
    group = slot * 0.7
    bar_w = group / max(1, len(series))
    for k, (name, vs, texts) in enumerate(series):
        bars: list[Bar] = []
        dots: list[Dot] = []
        for i, (v, text) in enumerate(zip(vs, texts, strict=True)):
            if v is None:
                continue
            centre = LEFT + slot * i + slot / 2
            if kind == "bar":
                x = centre - group / 2 + bar_w * k
                y = y_of(v)
                bars.append(
                    Bar(
                        x=round(x, 1),
                        y=round(y, 1),
                        width=round(bar_w - 2, 1),
                        height=round(TOP + plot_h - y, 1),
                        title=text,
                    )
                )
            else:
                dots.append(Dot(x=round(centre, 1), y=round(y_of(v), 1), title=text))
        drawn.append(Series(name=name, css=f"s{k}", bars=bars, dots=dots))
    return Chart(
        id=id,
        caption=caption,
        x_label=x_label,
        y_label=y_label,
        x_ticks=[Tick(at=round(LEFT + slot * i + slot / 2, 1), text=c) for i, c in enumerate(categories)],
        y_ticks=[Tick(at=round(y_of(top * j / 4), 1), text=tick_text.format(top * j / 4)) for j in range(5)],
        series=drawn,
    )
