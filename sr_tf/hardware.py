"""Training defaults chosen from the machine: ``train.precision=auto`` and ``train.xla=None``.

bfloat16 pays where the hardware computes it natively: CPUs with AMX or AVX512-BF16 (the
``amx_bf16`` / ``avx512_bf16`` flags of /proc/cpuinfo) and GPUs of compute capability 8.0 or
newer (Ampere on). Elsewhere (AVX2-only CPUs, older GPUs) it is emulated and no faster, so
float32. XLA is on with a GPU, where per-op launches cost most; off on CPUs.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

BF16_CPU_FLAGS = ("amx_bf16", "avx512_bf16")


def cpu_flags(cpuinfo: str | Path = "/proc/cpuinfo") -> set[str]:
    """The feature flags of the first CPU listed in ``cpuinfo`` (empty where it is unreadable)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def gpu_capabilities() -> list[tuple[int, int]]:
    """Compute capability of every visible GPU ((0, 0) where TensorFlow does not say)."""
    found = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        found.append(tuple(details.get("compute_capability") or (0, 0)))
    return found


def choose_precision(requested: str, flags: set[str], gpus: list[tuple[int, int]]
                     ) -> tuple[str, str]:
    """(Keras policy, why) for ``train.precision``; anything but ``auto`` is kept as given."""
    if requested != "auto":
        return requested, "set in the config"
    if gpus:
        if all(capability >= (8, 0) for capability in gpus):
            return "mixed_bfloat16", f"GPU compute capability {min(gpus)} has bfloat16"
        return "float32", f"GPU compute capability {min(gpus)} has no fast bfloat16"
    found = [flag for flag in BF16_CPU_FLAGS if flag in flags]
    if found:
        return "mixed_bfloat16", f"CPU flag {found[0]} found"
    return "float32", f"no {' / '.join(BF16_CPU_FLAGS)} CPU flag (bfloat16 would be emulated)"


def choose_xla(requested: bool | None, gpus: list[tuple[int, int]]) -> tuple[bool, str]:
    """(XLA on?, why) for ``train.xla``; None means auto."""
    if requested is not None:
        return bool(requested), "set in the config"
    return (True, "a GPU is present") if gpus else (False, "CPU only")
