"""Versioned, atomic export folders: ``<export_dir>/<version>/``, never overwritten.

Each export is written into a hidden temporary folder beside the versions and renamed to its
version number only when complete, so a reader (TF Serving, a deploy script, a phone build) never
sees a partial export. Folders and files get the process's normal permissions (umask applies).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable


def next_version(export_dir: Path) -> int:
    """One more than the highest numeric version folder (1 for a new export folder)."""
    versions = [int(p.name) for p in export_dir.glob("*") if p.is_dir() and p.name.isdigit()]
    return max(versions, default=0) + 1


def write_version(export_dir: str | os.PathLike, write: Callable[[Path], None],
                  version: int | None = None) -> Path:
    """Run ``write(folder)`` into a temporary folder, then rename it to ``export_dir/<version>``.

    ``version=None`` takes the next free number; an existing version is refused
    (:class:`FileExistsError`). ``write`` must create the folder it is given. Returns the final
    path.
    """
    export_dir = Path(export_dir)
    export_dir.mkdir(parents=True, exist_ok=True)
    version = next_version(export_dir) if version is None else version
    final = export_dir / str(version)
    if final.exists():
        raise FileExistsError(f"{final} already exists; choose another --export_version")
    tmp = export_dir / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        write(tmp)
        try:
            os.rename(tmp, final)
        except OSError as err:          # another export took this number meanwhile
            raise FileExistsError(f"{final} already exists; choose another --export_version"
                                  ) from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
