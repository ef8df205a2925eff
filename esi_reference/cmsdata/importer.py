"""Read CMS files as the user downloaded them (files, folders, zips) into tables, for install or one run.

:func:`collect` expands paths into :class:`~.layouts.Source` files (a folder's files, a zip's members),
:func:`parse` recognises and reads each one, :func:`install_files` merges them into the installed quarter
(PTP parts of one release combine; a new release replaces the old parts) and writes it atomically, and
:func:`layers_from_files` builds the tables of ``--ptp-file``/``--mue-file`` for one run.

A file named explicitly must be a table this tool applies (Medicare practitioner or outpatient hospital
PTP/MUE, PPRRVU CSV): anything else is refused with one line. Inside a folder or zip, other files (CMS's
read-me, the xlsx and fixed-width copies, Medicaid and DME tables) are skipped and listed. The outpatient
hospital tables are stored beside the practitioner ones (``ptp-hospital``, ``mue-hospital``) and checked
against hospital outpatient facility claims only (:meth:`esi_reference.cmsdata.tables.Tables.for_claim`).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from esi_reference.cmsdata import layouts, store
from esi_reference.cmsdata.fees import FEE_COLUMNS, fee_from_row
from esi_reference.cmsdata.layouts import LayoutError, Parsed, Source
from esi_reference.cmsdata.tables import (
    USER_SOURCES,
    Layers,
    MueValue,
    PtpEdit,
    Table,
    origin_words,
    quarter_start,
    table_label,
    user_source,
)
from esi_reference.errors import EsiError
from esi_reference.files import MAX_TABLE_BYTES, check_input, csv_problem
from esi_reference.reference import catalogue

PTP_PARTS = frozenset({1, 2, 3, 4})
VINTAGE_PATTERN = re.compile(r"^(\d{4})Q([1-4])$")
MAX_BAD_SHARE = 0.01  # more bad rows than this share (and more than 10) = a damaged or foreign file
KIND_NAMES = {
    "ptp": "the NCCI PTP edits (ccipra-...-f1.TXT or ccioph-...-f1.TXT ...)",
    "mue": "the MUE table (MCR_MUE_...csv)",
    "rvu": "the PPRRVU CSV",
}


@dataclass
class Outcome:
    """What an import or a load did: the files read, those skipped, warnings, the quarters written."""

    parsed: list[Parsed] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)
    root: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "data_dir": self.root,
            "installed": self.installed,
            "files": [
                {
                    "file": p.source.name,
                    "table": p.kind.describe(),
                    "vintage": p.vintage,
                    "sha256": p.sha256,
                    "rows_read": p.rows_read,
                    "rows_kept": p.rows_kept,
                    "rows_skipped": p.rows_skipped,
                    "problems": p.problems,
                }
                for p in self.parsed
            ],
            "skipped_files": self.skipped,
            "warnings": self.warnings,
        }

    def text(self) -> str:
        out = []
        for p in self.parsed:
            out.append(
                f"{p.source.name}: {p.kind.describe()} {p.vintage or ''}, {p.rows_read:,} rows read, "
                f"{p.rows_kept:,} kept (catalogue codes), {p.rows_skipped:,} bad rows skipped"
            )
            out.extend(f"  skipped {problem}" for problem in p.problems)
            if p.rows_skipped > len(p.problems):
                out.append(f"  ... and {p.rows_skipped - len(p.problems):,} more bad rows")
        out.extend(f"not read: {s}" for s in self.skipped)
        out.extend(f"warning: {w}" for w in self.warnings)
        if self.installed:
            out.append(f"installed {', '.join(self.installed)} in {self.root}")
        return "\n".join(out)


# --------------------------------------------------------------------------- collecting files


def _zip_member(path: Path, name: str) -> IO[bytes]:
    archive = zipfile.ZipFile(path)
    return archive.open(name)


def _is_xlsx(names: Sequence[str]) -> bool:
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def collect(paths: Iterable[str | Path]) -> list[tuple[Source, bool]]:
    """(source, named explicitly) for each file behind ``paths`` (folders and zips expanded)."""
    out: list[tuple[Source, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
                out.extend(_expand(child, explicit=False))
        elif path.is_file():
            out.extend(_expand(path, explicit=True))
        else:
            raise EsiError(f"{path}: no such file or folder", "path")
    return out


def _expand(path: Path, explicit: bool) -> list[tuple[Source, bool]]:
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != b"PK\x03\x04":
        return [(layouts.file_source(path), explicit)]
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            names = [i.filename for i in infos]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise LayoutError(f"{path}: a damaged zip ({exc}); download it again from CMS") from None
    if _is_xlsx(names):
        return [(layouts.file_source(path), explicit)]  # sniff() names it as a workbook
    members = []
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        if base.startswith(".") or info.filename.startswith("__MACOSX/"):
            continue
        members.append(
            (
                Source(f"{path.name}/{info.filename}", lambda n=info.filename: _zip_member(path, n), info.file_size),
                False,
            )
        )
    return members


# --------------------------------------------------------------------------- reading


def vintage_of(parsed: Parsed, given: str | None) -> str:
    """The CMS quarter of a parsed file: ``--vintage``, else its release (PTP), date (MUE) or title (RVU)."""
    if given:
        return given
    if parsed.kind.table == "ptp" and parsed.version:
        number = parsed.version[1:].split("r")[0]
        if len(number) == 3 and number[2] in "0123":
            return f"{1994 + int(number[:2])}Q{int(number[2]) + 1}"
    if parsed.vintage:
        return parsed.vintage
    raise EsiError(
        f"{parsed.source.name}: cannot tell the CMS quarter from the file name; give --vintage (e.g. 2026Q3)",
        "vintage",
    )


def parse(sources: list[tuple[Source, bool]], expect: str | None = None, strict: bool = False) -> Outcome:
    """Recognise and read each source; explicit files of another kind (or ``expect``) are refused."""
    outcome = Outcome()
    for source, explicit in sources:
        try:
            kind = layouts.sniff(source)
        except LayoutError as exc:
            if explicit:
                raise
            outcome.skipped.append(exc.message)
            continue
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise LayoutError(f"{source.name}: damaged zip member ({exc}); download it again") from None
        if not kind.usable or (expect and kind.table != expect):
            want = KIND_NAMES[expect] if expect else "a Medicare practitioner or outpatient hospital table"
            message = f"{source.name}: the {kind.describe()}; expected {want}"
            if kind.table == "ptp" and not kind.usable:
                message += " (this tool checks Medicare claims: use the ccipra or ccioph files)"
            if explicit or expect:
                raise LayoutError(message)
            outcome.skipped.append(message)
            continue
        try:
            parsed = layouts.READERS[kind.table](source, kind, strict)
            parsed.sha256 = parsed.sha256 or store.sha256_of(source.opener)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise LayoutError(f"{source.name}: damaged zip member ({exc}); download it again") from None
        except UnicodeError as exc:
            raise LayoutError(f"{source.name}: unreadable text ({exc}); expected CMS's Latin-1 file") from None
        except csv.Error as exc:  # a saved-as-CSV table with a broken or over-long field
            raise LayoutError(f"{source.name}: {csv_problem(exc)}; expected CMS's layout") from None
        if parsed.rows_skipped > max(10, MAX_BAD_SHARE * parsed.rows_read):
            raise LayoutError(
                f"{source.name}: {parsed.rows_skipped:,} of {parsed.rows_read:,} rows are malformed "
                f"(first: {parsed.problems[0]}); expected CMS's layout - is the file damaged?"
            )
        outcome.parsed.append(parsed)
    if not outcome.parsed:
        reasons = "; ".join(outcome.skipped[:3]) or "no files"
        raise LayoutError(f"no CMS table found ({reasons})")
    return outcome


# --------------------------------------------------------------------------- completeness


def _esi_codes_on(day: dt.date) -> list[str]:
    return [c.code for c in catalogue.all_codes() if c.is_esi and c.valid_on(day) and c.mue is not None]


def completeness(kind: str, parts: set[int], codes: Iterable[str], effective: dt.date) -> str:
    """Empty when the table is complete, else why it is partial."""
    if kind == "ptp":
        if parts == PTP_PARTS:
            return ""
        have = ", ".join(map(str, sorted(p for p in parts if p))) or "none identified"
        return f"PTP parts {have} of 4"
    present = set(codes)
    missing = [c for c in _esi_codes_on(effective) if c not in present]
    return f"no row for {', '.join(missing[:6])}{' ...' if len(missing) > 6 else ''}" if missing else ""


# --------------------------------------------------------------------------- install


def _ptp_rows(p: Parsed) -> list[tuple[str, ...]]:
    return [(*row, str(p.part)) for row in p.ptp]


def install_files(
    paths: Sequence[str | Path], into: str | None = None, vintage: str | None = None, strict: bool = False
) -> Outcome:
    """Read ``paths`` and install their tables in the data folder, one quarter per vintage."""
    if vintage and not VINTAGE_PATTERN.match(vintage):
        raise EsiError(f"--vintage: expected a CMS quarter such as 2026Q3, got {vintage!r}", "vintage")
    outcome = parse(collect(paths), strict=strict)
    root = store.data_dir(into)
    outcome.root = str(root)
    groups: dict[tuple[str, str], list[Parsed]] = {}
    for p in outcome.parsed:
        p.vintage = vintage_of(p, vintage)
        groups.setdefault((p.vintage, p.kind.key), []).append(p)
    existing = {q.vintage: q for q in store.quarters(root)} if root.exists() else {}
    by_vintage: dict[str, dict[str, list[Parsed]]] = {}
    for (v, kind), items in groups.items():
        by_vintage.setdefault(v, {})[kind] = items
    for v, kinds in sorted(by_vintage.items()):
        outcome.installed.append(v)
        _install_quarter(root, v, kinds, existing.get(v), outcome)
    return outcome


def _columns(base: str) -> tuple[str, ...]:
    return store.PTP_COLUMNS_STORED if base == "ptp" else (FEE_COLUMNS if base == "rvu" else store.MUE_COLUMNS)


def _install_quarter(
    root: Path, vintage: str, kinds: dict[str, list[Parsed]], old: store.Quarter | None, outcome: Outcome
) -> None:
    """Write one quarter: ``kinds`` maps a stored table name (``ptp``, ``mue-hospital`` ...) to its files."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    manifest: dict[str, Any] = {"format": store.FORMAT, "vintage": vintage, "imported": now, "tables": {}}
    tables: dict[str, tuple[tuple[str, ...], list[Any]]] = {}
    effective = quarter_start(vintage)
    if old is not None:  # keep the tables of this quarter that are not being replaced
        for key, info in old.tables.items():
            base = store.base_kind(key)
            if key not in kinds or base == "ptp":
                manifest["tables"][key] = info
                rows = store.read_stored(old.folder / store.CSV_NAMES[key])
                tables[key] = (
                    _columns(base),
                    rows if base != "rvu" else [dict(zip(FEE_COLUMNS, r, strict=True)) for r in rows],
                )
    for key, items in kinds.items():
        base = store.base_kind(key)
        files = [_file_entry(p, now) for p in items]
        if base == "ptp":
            rows, files, note = _merge_ptp(vintage, items, files, manifest["tables"].get(key), tables.get(key), outcome)
            codes: Iterable[str] = ()
            parts = {int(f["part"]) for f in files}
        elif base == "mue":
            if len(items) > 1:
                raise EsiError(
                    f"{vintage}: two MUE tables of one setting given ({items[0].source.name}, {items[1].source.name})",
                    "path",
                )
            rows = [(c, str(u), m, r) for c, (u, m, r) in sorted(items[0].mue.items())]
            codes, parts = items[0].mue, set()
        else:
            items = _one_rvu_file(vintage, items, outcome)
            if len(items) > 1:
                raise EsiError(
                    f"{vintage}: two PPRRVU files given ({items[0].source.name}, {items[1].source.name})", "path"
                )
            rows = sorted(items[0].rvu, key=lambda r: (r["code"], r["modifier"]))
            codes, parts = {r["code"] for r in rows}, set()
        note = completeness(base, parts, codes, effective) if base != "ptp" or not note else note
        if note:
            outcome.warnings.append(
                f"{vintage} {store.TABLE_NAMES[key]} table is partial ({note}): it answers only for what it holds; "
                "everything else still comes from the complete table below it (installed or shipped)"
            )
        info: dict[str, Any] = {"files": files, "complete": not note, "note": note, "effective": effective.isoformat()}
        if base == "ptp":
            info["ranges"] = sorted({(f["first_code"], f["last_code"]) for f in files})
            info["version"] = files[0].get("version", "")
        if base == "rvu":
            info["year"] = items[0].effective.year if items[0].effective else effective.year
        manifest["tables"][key] = info
        tables[key] = (_columns(base), rows)
    store.install(root, vintage, manifest, tables)


def _one_rvu_file(vintage: str, items: list[Parsed], outcome: Outcome) -> list[Parsed]:
    """Of CMS's QPP / non-QPP pair of PPRRVU files (two conversion factors), keep the non-QPP one."""
    if len(items) < 2:
        return items
    plain = [p for p in items if "NONQPP" in p.source.base.upper().replace("-", "").replace("_", "")]
    if len(plain) == 1 and all("QPP" in p.source.base.upper() for p in items):
        outcome.warnings.append(
            f"{vintage} PFS: {plain[0].source.base} installed (non-QPP conversion factor); the QPP file "
            "(qualifying APM participants) is not: import it alone with --into another folder to use it"
        )
        return plain
    return items


def _file_entry(p: Parsed, now: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": p.source.base,
        "path": p.source.name,
        "sha256": p.sha256,
        "rows_read": p.rows_read,
        "rows_kept": p.rows_kept,
        "rows_skipped": p.rows_skipped,
        "imported": now,
    }
    if p.kind.table == "ptp":
        entry.update(part=p.part, version=p.version, first_code=p.first_code, last_code=p.last_code)
    return entry


def _merge_ptp(
    vintage: str,
    items: list[Parsed],
    files: list[dict[str, Any]],
    old_info: dict[str, Any] | None,
    old_rows: tuple[tuple[str, ...], list[Any]] | None,
    outcome: Outcome,
) -> tuple[list[Any], list[dict[str, Any]], str]:
    versions = {p.version for p in items}
    if len(versions) > 1:
        raise EsiError(f"{vintage}: PTP parts of different releases given ({', '.join(sorted(versions))})", "path")
    numbered = [p.part for p in items if p.part]
    if len(numbered) != len(set(numbered)):
        raise EsiError(f"{vintage}: the same PTP part given twice", "path")
    rows = [r for p in items for r in _ptp_rows(p)]
    version = items[0].version
    if old_info and old_rows and old_info.get("version", "") == version and version:
        replaced = set(numbered)
        kept_files = [f for f in old_info["files"] if int(f.get("part", 0)) not in replaced or not f.get("part")]
        kept_parts = {str(f["part"]) for f in kept_files}
        rows = [r for r in old_rows[1] if r[-1] in kept_parts] + rows
        files = kept_files + files
        if kept_files:
            outcome.warnings.append(
                f"{vintage} PTP: parts {', '.join(sorted(kept_parts))} already installed are kept with the new ones"
            )
    elif old_info and old_info.get("version") and old_info.get("version") != version:
        outcome.warnings.append(
            f"{vintage} PTP: release {old_info['version']} replaced by {version or 'an unnamed file'}"
        )
    parts = {int(f.get("part", 0)) for f in files}
    return rows, files, completeness("ptp", parts, (), quarter_start(vintage))


# --------------------------------------------------------------------------- one run (--ptp-file/--mue-file)


def layers_from_files(
    ptp_files: Sequence[str] = (),
    mue_files: Sequence[str] = (),
    rvu_files: Sequence[str] = (),
    max_bytes: int = MAX_TABLE_BYTES,
) -> Layers:
    """The tables of the files given for one run, to layer over the installed/shipped tables."""
    made: dict[str, tuple[Table, ...]] = {}
    for kind, paths in (("ptp", ptp_files), ("mue", mue_files), ("rvu", rvu_files)):
        if not paths:
            made[kind] = ()
            continue
        sources = [(layouts.file_source(check_input(p, f"a CMS {kind.upper()} file", max_bytes)), True) for p in paths]
        outcome = parse(sources, expect=kind)
        settings = dict.fromkeys(p.kind.setting for p in outcome.parsed)  # practitioner and hospital files apart
        made[kind] = tuple(_table_from(kind, [p for p in outcome.parsed if p.kind.setting == s]) for s in settings)
    return Layers(made["ptp"], made["mue"], made["rvu"])


def _table_from(kind: str, parsed: list[Parsed]) -> Table:
    names = tuple(p.source.base for p in parsed)
    try:
        vintage = vintage_of(parsed[0], None)
    except EsiError:
        vintage = ""
    effective = quarter_start(vintage) if vintage else dt.date(1996, 1, 1)
    setting = parsed[0].kind.setting
    if kind == "ptp":
        parts = {p.part for p in parsed}
        note = completeness("ptp", parts, (), effective)
        label = table_label(vintage, origin_words("user file", setting), names, note)
        edits = tuple(
            PtpEdit(
                c1,
                c2,
                dt.date.fromisoformat(deleted) if deleted else None,
                modifier,
                rationale,
                (user_source("ptp", setting),),
                dt.date.fromisoformat(eff),
                label,
            )
            for p in parsed
            for (c1, c2, _pre, eff, deleted, modifier, rationale) in p.ptp
        )
        ranges = tuple(sorted({(p.first_code, p.last_code) for p in parsed}))
        return Table(
            "ptp", vintage, effective, names, "file", not note, note, setting=setting, edits=edits,
            ranges=() if not note else ranges,
        )  # fmt: skip
    p = parsed[0]
    if kind == "mue":
        values = {c: MueValue(c, u, m, r) for c, (u, m, r) in p.mue.items()}
        note = completeness("mue", set(), values, effective)
        return Table("mue", vintage, effective, names, "file", not note, note, setting=setting, mue=values)
    fees = {
        (r["code"], r["modifier"]): fee_from_row(r, effective.year, vintage, names[0], USER_SOURCES["rvu"], effective)
        for r in p.rvu
    }
    note = completeness("rvu", set(), {c for c, _m in fees}, effective)
    return Table("rvu", vintage, effective, names, "file", not note, note, fees=fees)
