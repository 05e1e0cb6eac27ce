"""Helpers shared by the benchmark scripts: machine description, tables, JSON output."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import tensorflow as tf
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "tensorflow": tf.__version__, "date": time.strftime("%Y-%m-%d %H:%M")}


def print_table(rows: list[dict], columns: list[str]) -> None:
    """Print rows as an aligned text table."""
    widths = {c: max(len(c), *(len(_fmt(r.get(c), c)) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for row in rows:
        print("  ".join(_fmt(row.get(c), c).ljust(widths[c]) for c in columns))


def _fmt(value, column: str = "") -> str:
    """Quality figures (PSNR, dB, SSIM columns) at fixed decimals, other numbers at 3 digits."""
    if isinstance(value, float):
        if "psnr" in column or "db" in column:
            return f"{value:.3f}".replace("-0.000", "0.000")
        if "ssim" in column:
            return f"{value:.4f}"
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def mark_best(row: dict, variants) -> dict:
    """Add ``best`` (the variant with the smallest ratio in ``row``) and ``best_ratio``."""
    ratios = {v: r for v, r in row.items() if v in variants and isinstance(r, float)}
    if ratios:
        row["best"] = min(ratios, key=ratios.get)
        row["best_ratio"] = ratios[row["best"]]
    return row


def write_json(name: str, payload: dict) -> Path:
    """Write ``results/<name>.json`` with the machine description added."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2))
    print(f"\nwritten {path}")
    return path


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    """Rows as a GitHub markdown table (numbers formatted as in :func:`print_table`)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_fmt(r.get(c), c) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def update_readme(section: str, text: str) -> None:
    """Replace the README lines between ``<!-- {section} -->`` and ``<!-- /{section} -->``."""
    readme = Path(__file__).resolve().parents[1] / "README.md"
    start, end = f"<!-- {section} -->", f"<!-- /{section} -->"
    content = readme.read_text()
    if start not in content or end not in content:
        raise SystemExit(f"README.md has no {start} ... {end} section to update")
    head, rest = content.split(start, 1)
    readme.write_text(f"{head}{start}\n{text}\n{end}{rest.split(end, 1)[1]}")
    print(f"updated the {section} section of {readme}")
