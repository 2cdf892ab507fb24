"""report.html: one self-contained page (inline CSS and SVG, no scripts, no network).

Charts: per-framework control status (stacked bars), findings by severity and by scanner, and,
for a period export, the trend over the period. Every number is also in a table cell carrying
`data-*` attributes, so the page can be checked by machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Mapping, Sequence

STATUSES = ("failed", "passed", "manual", "not assessed")
STATUS_COLOR = {"failed": "#d1242f", "passed": "#1a7f37", "manual": "#0969da", "not assessed": "#afb8c1"}
SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_COLOR = {"critical": "#8b0000", "high": "#d1242f", "medium": "#e16f24", "low": "#d4a72c", "info": "#8c959f"}


@dataclass(frozen=True)
class TrendPoint:
    label: str  # e.g. the run's date
    failed_controls: int
    findings: int


@dataclass(frozen=True)
class ReportData:
    title: str
    meta: Sequence[tuple[str, str]]
    controls: Mapping[str, Mapping[str, int]]  # framework -> status -> count
    severity: Mapping[str, int]
    scanners: Mapping[str, int]
    trend: Sequence[TrendPoint] = field(default_factory=tuple)
    controls_caption: str = ""  # e.g. which run the control status is from


CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:18px 32px}h1{font-size:22px;margin:0 0 6px}
header dl{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0;font-size:12px;color:#d0d7de}
header dt{display:inline;font-weight:600}header dd{display:inline;margin:0 0 0 4px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px;padding:20px 32px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px}
section.wide{grid-column:1/-1}h2{font-size:15px;margin:0 0 10px}
table{border-collapse:collapse;font-size:12px;margin-top:10px;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:3px 6px;text-align:right}th:first-child,td:first-child{text-align:left}
.legend{font-size:12px;margin:4px 0}.legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}.empty{color:#57606a;font-style:italic}
"""


def _legend(colors: Mapping[str, str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{c}"></i>{escape(k)}</span>' for k, c in colors.items()) + "</div>"


def _framework_chart(controls: Mapping[str, Mapping[str, int]]) -> str:
    if not controls:
        return '<p class="empty">No framework controls in this run.</p>'
    width, label_w, row_h = 640, 90, 30
    rows = []
    for i, (fw, counts) in enumerate(sorted(controls.items())):
        total = sum(counts.get(s, 0) for s in STATUSES) or 1
        x, y, segs = float(label_w), i * row_h + 4, []
        for status in STATUSES:
            n = counts.get(status, 0)
            w = (width - label_w - 10) * n / total
            if n:
                segs.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20" fill="{STATUS_COLOR[status]}">'
                            f"<title>{escape(fw)} {status}: {n}</title></rect>")
                if w > 22:
                    segs.append(f'<text x="{x + w / 2:.1f}" y="{y + 14}" text-anchor="middle" style="fill:#fff">{n}</text>')
            x += w
        rows.append(f'<g><text x="0" y="{y + 14}">{escape(fw)}</text>{"".join(segs)}</g>')
    svg = (f'<svg role="img" aria-label="control status per framework" width="100%" viewBox="0 0 {width} '
           f'{len(controls) * row_h + 6}">{"".join(rows)}</svg>')
    head = "".join(f"<th>{s}</th>" for s in STATUSES)
    body = "".join(
        f"<tr><td>{escape(fw)}</td>" + "".join(
            f'<td data-framework="{escape(fw)}" data-status="{s}">{counts.get(s, 0)}</td>' for s in STATUSES) + "</tr>"
        for fw, counts in sorted(controls.items()))
    return _legend(STATUS_COLOR) + svg + f"<table><tr><th>framework</th>{head}</tr>{body}</table>"


def _bar_chart(name: str, counts: Sequence[tuple[str, int]], colors: Mapping[str, str]) -> str:
    if not any(n for _, n in counts):
        return '<p class="empty">No findings.</p>' + _count_table(name, counts)
    width, label_w, row_h = 520, 110, 24
    top = max(n for _, n in counts) or 1
    bars = []
    for i, (key, n) in enumerate(counts):
        y, w = i * row_h + 3, (width - label_w - 50) * n / top
        bars.append(f'<text x="0" y="{y + 13}">{escape(key)}</text>'
                    f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="17" rx="2" fill="{colors.get(key, "#0969da")}">'
                    f"<title>{escape(key)}: {n}</title></rect>"
                    f'<text x="{label_w + w + 5:.1f}" y="{y + 13}">{n}</text>')
    svg = f'<svg role="img" aria-label="findings by {name}" width="100%" viewBox="0 0 {width} {len(counts) * row_h + 4}">{"".join(bars)}</svg>'
    return svg + _count_table(name, counts)


def _count_table(name: str, counts: Sequence[tuple[str, int]]) -> str:
    rows = "".join(f'<tr><td>{escape(k)}</td><td data-{name}="{escape(k)}">{n}</td></tr>' for k, n in counts)
    return f"<table><tr><th>{name}</th><th>findings</th></tr>{rows}</table>"


def _trend_chart(points: Sequence[TrendPoint]) -> str:
    width, height, left, bottom = 1000, 220, 44, 28
    top = max([p.failed_controls for p in points] + [p.findings for p in points] + [1])
    step = (width - left - 20) / max(len(points) - 1, 1)

    def xy(i: int, v: int) -> tuple[float, float]:
        return left + i * step, height - bottom - (height - bottom - 12) * v / top

    lines = []
    for attr, color in (("findings", "#e16f24"), ("failed_controls", "#d1242f")):
        points_xy = [xy(i, getattr(p, attr)) for i, p in enumerate(points)]
        lines.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                     f'points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points_xy)}"/>')
        lines.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{color}"><title>{escape(p.label)}: '
                     f"{getattr(p, attr)}</title></circle>" for (x, y), p in zip(points_xy, points))
    axis = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#8c959f"/>',
            f'<text x="{left - 6}" y="{16}" text-anchor="end">{top}</text>',
            f'<text x="{left - 6}" y="{height - bottom}" text-anchor="end">0</text>']
    every = max(1, len(points) // 8)
    axis += [f'<text x="{xy(i, 0)[0]:.1f}" y="{height - 8}" text-anchor="middle">{escape(p.label)}</text>'
             for i, p in enumerate(points) if i % every == 0]
    svg = f'<svg role="img" aria-label="trend over the period" width="100%" viewBox="0 0 {width} {height}">{"".join(axis + lines)}</svg>'
    rows = "".join(f'<tr><td>{escape(p.label)}</td><td data-trend-failed="{i}">{p.failed_controls}</td>'
                   f'<td data-trend-findings="{i}">{p.findings}</td></tr>' for i, p in enumerate(points))
    table = f"<details><summary>data</summary><table><tr><th>run</th><th>failed controls</th><th>findings</th></tr>{rows}</table></details>"
    return _legend({"findings": "#e16f24", "failed controls": "#d1242f"}) + svg + table


def render(data: ReportData) -> str:
    meta = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in data.meta)
    severity = [(s, data.severity.get(s, 0)) for s in SEVERITIES]
    scanners = sorted(data.scanners.items(), key=lambda kv: (-kv[1], kv[0]))
    sections = [
        f'<section class="wide"><h2>Control status by framework{escape(data.controls_caption)}</h2>'
        f"{_framework_chart(data.controls)}</section>",
        f"<section><h2>Findings by severity</h2>{_bar_chart('severity', severity, SEVERITY_COLOR)}</section>",
        f"<section><h2>Findings by scanner</h2>{_bar_chart('scanner', scanners, {})}</section>",
    ]
    if data.trend:
        sections.append(f'<section class="wide"><h2>Trend over the period</h2>{_trend_chart(data.trend)}</section>')
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">'
            f"<title>{escape(data.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(data.title)}</h1><dl>{meta}</dl></header><main>{''.join(sections)}</main></body></html>\n")
