"""Server-side SVG charts for the dashboard: plain strings, no script, no
inline style (the CSP forbids both), so they render anywhere and print."""

from __future__ import annotations

from html import escape

PALETTE = ("#1f6feb", "#e5534b", "#2da44e", "#bf8700", "#8250df", "#57606a", "#d1242f", "#0a7d76", "#9a6700", "#6e7781")


def bars_by_hour(received: list[int], decided: list[int], labels: tuple[str, str]) -> str:
    """Two bars per hour 0–23: received and decided."""
    width, height, left, bottom = 760, 220, 36, 24
    top = max([1, *received, *decided])
    slot = (width - left) / 24
    bar = slot * 0.38
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">']
    for tick in range(0, 5):
        value = top * tick / 4
        y = height - bottom - (height - bottom - 10) * tick / 4
        parts.append(f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{value:.0f}</text>')
    for hour in range(24):
        x = left + hour * slot
        for i, (values, colour) in enumerate(((received, PALETTE[0]), (decided, PALETTE[2]))):
            h = (height - bottom - 10) * values[hour] / top
            parts.append(
                f'<rect x="{x + 2 + i * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{hour:02d}:00 {escape(labels[i])} {values[hour]}</title></rect>"
            )
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" font-size="10">{hour}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<rect x="{left + 10 + i * 140}" y="2" width="10" height="10" fill="{PALETTE[0 if i == 0 else 2]}"/>')
        parts.append(f'<text x="{left + 24 + i * 140}" y="11" font-size="11">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_weeks(weeks: list[str], series: dict[str, list[int]], names: dict[str, str]) -> str:
    """One stacked bar per week, one colour per reason."""
    width, left, bottom = 760, 36, 24
    legend_rows = (len(series) + 3) // 4
    height = 200 + legend_rows * 16
    plot_top = 10 + legend_rows * 16
    totals = [sum(values[i] for values in series.values()) for i in range(len(weeks))]
    top = max([1, *totals])
    slot = (width - left) / max(1, len(weeks))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart">']
    for i, code in enumerate(series):
        x, y = left + (i % 4) * 180, 4 + (i // 4) * 16
        parts.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + 9}" font-size="11">{escape(names.get(code, code))}</text>')
    span = height - bottom - plot_top
    for w, week in enumerate(weeks):
        x = left + w * slot + slot * 0.2
        y = height - bottom
        for i, (code, values) in enumerate(series.items()):
            h = span * values[w] / top
            if h:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" fill="{PALETTE[i % len(PALETTE)]}">'
                    f"<title>{escape(week)} {escape(names.get(code, code))} {values[w]}</title></rect>"
                )
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{height - 8}" text-anchor="middle" font-size="10">{escape(week)}</text>')
        parts.append(f'<text x="{x + slot * 0.3:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10">{totals[w]}</text>')
    parts.append("</svg>")
    return "".join(parts)
