"""Which zoo architectures export to each portable format, and which LiteRT files the GPU
delegate takes.

For every architecture of tests/test_zoo.py's ZOO table (small configurations: which ops a
graph uses does not depend on its width or depth), converts to LiteRT float32 / float16 / int8
and ONNX (dynamic batch, height and width) and runs LiteRT's analyzer
(``tf.lite.experimental.Analyzer.analyze(gpu_compatibility=True)``) on the float32 and float16
files. Prints the table and writes ``results/litert_gpu.json``.

    python benchmarks/litert_gpu.py                 # every architecture
    python benchmarks/litert_gpu.py srvgg span      # some
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def smooth_patches(count: int = 4, size: int = 16) -> list:
    """uint8 calibration patches that look like photos (smooth), not noise."""
    import numpy as np
    yy, xx = np.mgrid[0:size, 0:size]
    return [np.clip((np.stack([np.sin(xx / (3 + k)), np.cos(yy / 4), np.sin((xx + yy) / 5)], -1)
                     + 1) * 127, 0, 255).astype(np.uint8) for k in range(count)]


def status(run) -> tuple[str, object]:
    """("ok", result) or ("blocked", the one-line reason)."""
    from sr_tf.export import ExportError
    try:
        return "ok", run()
    except ExportError as err:
        return "blocked", str(err)


def measure(case: str) -> dict:
    from sr_tf.export import litert, onnx_model
    from sr_tf.export.portable import metadata
    from test_zoo import ZOO, small
    scale = ZOO[case][1]
    model = small(case)
    row = {"case": case}
    for quantize in ("none", "fp16", "int8"):
        label = "fp32" if quantize == "none" else quantize
        patches = smooth_patches() if quantize == "int8" else None
        state, data = status(lambda: litert.convert(model, scale, quantize, patches))
        row[label] = state if state == "ok" else data
        if state == "ok" and quantize != "int8":
            offending = litert.gpu_incompatible_ops(data)
            row[f"gpu_{label}"] = "compatible" if not offending else "; ".join(offending)
    state, data = status(lambda: onnx_model.convert(
        model, scale, metadata(model, scale, case, "onnx")))
    row["onnx"] = state if state == "ok" else data
    return row


def main() -> None:
    from benchmarks.common import print_table, write_json
    from test_zoo import ZOO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help=f"ZOO ids (default: all {len(ZOO)})")
    parser.add_argument("--name", default="litert_gpu", help="results/<name>.json")
    args = parser.parse_args()
    rows = []
    for case in args.cases or list(ZOO):
        rows.append(measure(case))
        print(rows[-1], flush=True)
    columns = ["case", "fp32", "fp16", "int8", "onnx", "gpu_fp32", "gpu_fp16"]
    print_table(rows, columns)
    write_json(args.name, {"rows": rows})


if __name__ == "__main__":
    main()
