"""The installed CMS dataset: a small versioned folder of the catalogue's rows, one sub-folder per quarter.

Where: ``--into DIR``, else the environment variable ``ESI_REFERENCE_DATA``, else the per-user data folder
(``$XDG_DATA_HOME/esi-reference``, by default ``~/.local/share/esi-reference``; ``%LOCALAPPDATA%`` on
Windows). Layout::

    index.json                  {"format": 1, "quarters": {"2026Q3": "2026Q3-1a2b3c4d5e"}}
    2026Q3-1a2b3c4d5e/
        manifest.json           vintage, tables, source files (name, sha256, rows read/kept/skipped), import date
        ptp.csv  mue.csv  rvu.csv

A quarter folder is written complete under a new name, then ``index.json`` is replaced atomically
(``os.replace``) to point at it; the old folder is deleted afterwards. A reader therefore sees the old
quarter or the new one, never half of one. The dataset is read once per process (:func:`forget` re-reads).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from esi_reference.cmsdata.fees import FEE_COLUMNS, fee_from_row
from esi_reference.cmsdata.tables import (
    HOSPITAL,
    PRACTITIONER,
    MueValue,
    PtpEdit,
    Table,
    origin_words,
    quarter_start,
    table_label,
    user_source,
)
from esi_reference.errors import EsiError

FORMAT = 1
PTP_COLUMNS = ("column1", "column2", "prior_1996", "effective_date", "deletion_date", "modifier_indicator", "rationale")
PTP_COLUMNS_STORED = (*PTP_COLUMNS, "part")
MUE_COLUMNS = ("code", "units", "mai", "rationale")
#: Stored table name -> its file in the quarter's folder (``-hospital``: the outpatient hospital tables).
CSV_NAMES = {
    "ptp": "ptp.csv",
    "mue": "mue.csv",
    "rvu": "rvu.csv",
    "ptp-hospital": "ptp-hospital.csv",
    "mue-hospital": "mue-hospital.csv",
}
TABLE_NAMES = {
    "ptp": "PTP",
    "mue": "MUE",
    "rvu": "RVU",
    "ptp-hospital": "outpatient hospital PTP",
    "mue-hospital": "outpatient hospital MUE",
}


def base_kind(key: str) -> str:
    """``ptp-hospital`` -> ``ptp``: the kind of table a stored name holds."""
    return key.split("-", 1)[0]


def setting_of(key: str) -> str:
    """``ptp-hospital`` -> ``outpatient hospital``; the others are the practitioner (PFS) tables."""
    return HOSPITAL if key.endswith("-hospital") else PRACTITIONER


ENV = "ESI_REFERENCE_DATA"


_DIR: ContextVar[Path | None] = ContextVar("esi_reference_data_dir", default=None)


def data_dir(into: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``into``, else :func:`using_dir`'s, else ``$ESI_REFERENCE_DATA``, else the per-user one."""
    if into:
        return Path(into).expanduser()
    chosen = _DIR.get()
    if chosen is not None:
        return chosen
    env = os.environ
    chosen_env = env.get(ENV)
    if chosen_env:
        return _default_dir(chosen_env, None, None, None)
    local = env.get("LOCALAPPDATA") if os.name == "nt" else None
    return _default_dir(None, local, env.get("XDG_DATA_HOME"), env.get("HOME"))


@lru_cache(maxsize=8)
def _default_dir(chosen: str | None, local_app_data: str | None, xdg_data_home: str | None, home: str | None) -> Path:
    """The default folder for these environment values (asked for on every check: resolved once each)."""
    if chosen:
        return Path(chosen).expanduser()
    if os.name == "nt" and local_app_data:
        return Path(local_app_data) / "esi-reference"
    return Path(xdg_data_home or str(Path.home() / ".local" / "share")) / "esi-reference"


@dataclass(frozen=True)
class Quarter:
    """One installed quarter: its folder and manifest."""

    vintage: str
    folder: Path
    manifest: dict[str, Any]

    @property
    def tables(self) -> dict[str, dict[str, Any]]:
        return self.manifest.get("tables", {})


def read_index(root: Path) -> dict[str, str]:
    """vintage -> folder name, from ``index.json`` ({} when nothing is installed)."""
    path = root / "index.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        quarters = data["quarters"]
        if data.get("format") != FORMAT or not isinstance(quarters, dict):
            raise ValueError("format")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EsiError(
            f"{path}: not an esi-reference data index ({exc}); remove the folder or reinstall", "data"
        ) from None
    return {str(k): str(v) for k, v in quarters.items()}


def quarters(root: Path | None = None) -> list[Quarter]:
    """The installed quarters, oldest first."""
    root = root or data_dir()
    out = []
    for vintage, folder in sorted(read_index(root).items()):
        path = root / folder / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EsiError(f"{path}: unreadable manifest ({exc}); run esi-ref data remove {vintage}", "data") from None
        out.append(Quarter(vintage, root / folder, manifest))
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_stored(path: Path) -> list[tuple[str, ...]]:
    """The data rows of a stored CSV (header dropped), to carry over into a new version of the quarter."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        next(rows, None)
        return [tuple(r) for r in rows]


def load_quarter(q: Quarter) -> list[Table]:
    """The tables of one installed quarter."""
    out = []
    for key, info in sorted(q.tables.items()):
        kind = base_kind(key)
        files = tuple(str(f["name"]) for f in info["files"])
        effective = dt.date.fromisoformat(str(info.get("effective") or quarter_start(q.vintage).isoformat()))
        common: dict[str, Any] = {
            "kind": kind,
            "setting": setting_of(key),
            "vintage": q.vintage,
            "effective": effective,
            "files": files,
            "source_id": "installed",
            "complete": bool(info["complete"]),
            "note": str(info.get("note", "")),
        }
        rows = _rows(q.folder / CSV_NAMES[key])
        if kind == "ptp":
            table = table_label(q.vintage, origin_words("installed", setting_of(key)), files, str(info.get("note", "")))
            edits = tuple(
                PtpEdit(
                    r["column1"],
                    r["column2"],
                    dt.date.fromisoformat(r["deletion_date"]) if r["deletion_date"] else None,
                    r["modifier_indicator"],
                    r["rationale"],
                    (user_source("ptp", setting_of(key)),),
                    dt.date.fromisoformat(r["effective_date"]),
                    table,
                )
                for r in rows
            )
            ranges = tuple((str(a), str(b)) for a, b in info.get("ranges", ()))
            out.append(Table(**common, edits=edits, ranges=() if info["complete"] else ranges))
        elif kind == "mue":
            values = {r["code"]: MueValue(r["code"], int(r["units"]), r["mai"], r["rationale"]) for r in rows}
            out.append(Table(**common, mue=values))
        else:
            year = int(info.get("year", effective.year))
            fees = {
                (r["code"], r["modifier"]): fee_from_row(
                    r, year, q.vintage, files[0], f"installed {files[0]}", effective
                )
                for r in rows
            }
            out.append(Table(**common, fees=fees))
    return out


_LOADED: dict[Path, tuple[Table, ...]] = {}


def installed_tables() -> tuple[Table, ...]:
    """Every table of every installed quarter in the data folder (read once per process)."""
    root = data_dir()
    known = _LOADED.get(root)
    if known is None:
        _LOADED.clear()  # one data folder at a time: a changed folder does not keep the old one in memory
        known = _LOADED[root] = tuple(t for q in quarters(root) for t in load_quarter(q))
    return known


def forget() -> None:
    _LOADED.clear()


@contextmanager
def using_dir(root: Path) -> Iterator[None]:
    """Read the installed tables from ``root`` inside the ``with`` block (this context only)."""
    token = _DIR.set(root)
    forget()
    try:
        yield
    finally:
        _DIR.reset(token)
        forget()


# --------------------------------------------------------------------------- writing


def sha256_of(opener: Callable[[], IO[bytes]]) -> str:
    digest = hashlib.sha256()
    with opener() as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        if columns == FEE_COLUMNS:
            writer = csv.DictWriter(handle, columns, lineterminator="\n", extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        else:
            writer_ = csv.writer(handle, lineterminator="\n")
            writer_.writerow(columns)
            writer_.writerows(rows)
        handle.flush()
        os.fsync(handle.fileno())


def _write_json(path: Path, data: object) -> None:
    with path.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def install(
    root: Path, vintage: str, manifest: dict[str, Any], tables: dict[str, tuple[tuple[str, ...], Iterable[Any]]]
) -> Path:
    """Write one quarter (``tables``: kind -> (columns, rows)) and point the index at it, atomically."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        for stale in root.glob(f".{vintage}-*"):  # left by an import that was killed while writing
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=f".{vintage}-", dir=root))
    except OSError as exc:
        raise EsiError(f"cannot write the dataset in {root}: {exc.strerror or exc}", "data") from None
    index = read_index(root)
    try:
        for kind, (columns, rows) in tables.items():
            write_csv(folder / CSV_NAMES[kind], columns, rows)
        _write_json(folder / "manifest.json", manifest)
        digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:10]
        final = root / f"{vintage}-{digest}"
        if final.exists():
            shutil.rmtree(final)
        os.replace(folder, final)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise EsiError(f"cannot write the dataset in {root}: {exc.strerror or exc}", "data") from None
    old = index.get(vintage)
    index[vintage] = final.name
    _write_index(root, index)
    if old and old != final.name:
        shutil.rmtree(root / old, ignore_errors=True)
    forget()
    return final


def _write_index(root: Path, index: dict[str, str]) -> None:
    handle, name = tempfile.mkstemp(prefix=".index-", suffix=".json", dir=root)
    os.close(handle)
    try:
        _write_json(Path(name), {"format": FORMAT, "quarters": dict(sorted(index.items()))})
        os.replace(name, root / "index.json")
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise EsiError(f"cannot write {root / 'index.json'}: {exc.strerror or exc}", "data") from None


def remove(root: Path, vintages: list[str]) -> list[str]:
    """Remove installed quarters (all of them when ``vintages`` is empty); returns the removed ones."""
    index = read_index(root)
    chosen = vintages or sorted(index)
    unknown = [v for v in chosen if v not in index]
    if unknown:
        have = ", ".join(sorted(index)) or "none"
        raise EsiError(f"{', '.join(unknown)}: not installed in {root} (installed: {have})", "vintage")
    folders = [index.pop(v) for v in chosen]
    if chosen:
        _write_index(root, index)
    for folder in folders:
        shutil.rmtree(root / folder, ignore_errors=True)
    forget()
    return chosen
