"""Which TensorFlow ops gain from bfloat16 on this CPU: forward + backward of SwinIR-M's ops at
its training shapes (batch 8 of 48x48 LR tokens, 180 channels, 8x8 windows, 6 heads), in float32
and in bfloat16 (inputs cast from float32 variables, as ``mixed_bfloat16`` does), medians of 5.

Ratio = bfloat16 time / float32 time (below 1: bfloat16 pays), for TensorFlow and, with the
bench extra installed, for the same ops in PyTorch (``torch.autocast``-style casts, same
threads). It explains the end-to-end figures of ``benchmarks/train_e2e.py``: where an op gains
nothing, a bf16 model built of it gains nothing either.

    python benchmarks/bf16_ops.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tensorflow as tf  # noqa: E402

from benchmarks.common import print_table, write_json  # noqa: E402
from benchmarks.vs_pytorch import median_time  # noqa: E402

TOKENS, CHANNELS, WINDOWS, HEADS = 8 * 48 * 48, 180, 8 * 8, 6
GROUPS = TOKENS // WINDOWS * HEADS


def layer_norm(x):
    mean, variance = tf.nn.moments(x, [-1], keepdims=True)
    return (x - mean) * tf.math.rsqrt(variance + 1e-5)


# name: (function, input shapes)
OPS = {
    "dense 180->360": (lambda x, w: tf.matmul(x, w), [(TOKENS, CHANNELS), (CHANNELS, 360)]),
    "attention q.k": (lambda q, k: tf.matmul(q, k, transpose_b=True),
                      [(GROUPS, WINDOWS, 30), (GROUPS, WINDOWS, 30)]),
    "softmax": (tf.nn.softmax, [(GROUPS, WINDOWS, WINDOWS)]),
    "gelu (erf)": (lambda x: tf.nn.gelu(x, approximate=False), [(TOKENS, 360)]),
    "layer norm": (layer_norm, [(TOKENS, CHANNELS)]),
    "add": (tf.add, [(TOKENS, CHANNELS), (TOKENS, CHANNELS)]),
    "conv 3x3 180": (lambda x, w: tf.nn.conv2d(x, w, 1, "SAME"),
                     [(8, 48, 48, CHANNELS), (3, 3, CHANNELS, CHANNELS)]),
}


def seconds(fn, shapes, dtype, repeats: int = 5) -> float:
    """Median time of one forward + backward of ``fn`` computing in ``dtype``."""
    variables = [tf.Variable(tf.random.normal(shape)) for shape in shapes]

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            out = fn(*[tf.cast(v, dtype) for v in variables])
            loss = tf.reduce_mean(tf.cast(out, tf.float32))
        return tape.gradient(loss, variables)

    return median_time(lambda: [g.numpy() for g in step()], repeats, warmup=1)


def torch_ops() -> dict:
    """The same ops in PyTorch (channels first for the convolution), or {} without torch."""
    try:
        import torch
    except ImportError:
        return {}
    torch.set_num_threads(len(os.sched_getaffinity(0)))
    f = torch.nn.functional
    return {
        "dense 180->360": torch.matmul,
        "attention q.k": lambda q, k: q @ k.transpose(-1, -2),
        "softmax": lambda a: a.softmax(-1),
        "gelu (erf)": f.gelu,
        "layer norm": lambda x: f.layer_norm(x, x.shape[-1:]),
        "add": torch.add,
        "conv 3x3 180": lambda x, w: f.conv2d(x.permute(0, 3, 1, 2), w.permute(3, 2, 0, 1),
                                              padding=1),
    }


def torch_seconds(fn, shapes, dtype, repeats: int = 5) -> float:
    import torch
    leaves = [torch.randn(shape, requires_grad=True) for shape in shapes]

    def step():
        out = fn(*[leaf.to(dtype) for leaf in leaves])
        out.float().mean().backward()

    return median_time(step, repeats, warmup=1)


def main() -> None:
    rows, theirs = [], torch_ops()
    for name, (fn, shapes) in OPS.items():
        f32, b16 = seconds(fn, shapes, tf.float32), seconds(fn, shapes, tf.bfloat16)
        row = {"op": name, "float32_ms": 1e3 * f32, "bfloat16_ms": 1e3 * b16,
               "bf16_over_fp32": b16 / f32}
        if name in theirs:
            import torch
            t32, t16 = (torch_seconds(theirs[name], shapes, d)
                        for d in (torch.float32, torch.bfloat16))
            row.update(torch_float32_ms=1e3 * t32, torch_bfloat16_ms=1e3 * t16,
                       torch_bf16_over_fp32=t16 / t32)
        rows.append(row)
        print(f"  {name}: {row['bf16_over_fp32']:.2f}", flush=True)
    columns = ["op", "float32_ms", "bfloat16_ms", "bf16_over_fp32"] + \
        (["torch_float32_ms", "torch_bfloat16_ms", "torch_bf16_over_fp32"] if theirs else [])
    print_table(rows, columns)
    write_json("bf16_ops", {"rows": rows})


if __name__ == "__main__":
    main()
