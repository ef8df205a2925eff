"""The claim-line CSV format read by the audit, and the reader that accounts for every row.

One row is one claim line, as a practice-management system or clearinghouse exports it. The columns
are listed in :data:`~esi_reference.audit.columns.COLUMNS` (rendered in ``docs/claims-format.md``); a header
row is required, column order is free, names are matched case-insensitively, and unknown extra columns are
ignored. A file missing a *required column* raises :class:`~esi_reference.errors.InvalidField`.

Row numbers (``row``) count data rows from 1: row 1 is the line after the header.

A row that cannot be audited is **rejected**, never dropped: :func:`read_claims` returns it in
``rejects`` with its row number and a reason (malformed date, unknown code, units below 1, a
missing required value, a malformed modifier …). Rows kept plus rows rejected = rows read.

The reader is built for speed: every column except the two identifiers is read as a
dictionary-encoded (categorical) column, so each distinct value (a code, a modifier combination, a date)
is parsed and validated once, however many rows carry it. With pyarrow installed (the ``tables`` extra)
the file is parsed by pyarrow's CSV reader, every field as text; without it, or for an irregular file
(rows with more or fewer fields than the header, text that is not UTF-8), by pandas' C engine, which
infers numbers in an all-numeric column first (so there e.g. ``1.0`` is read as the line number 1,
and ``7`` as the place of service ``07``; the pyarrow reader takes every field as written).

>>> import io
>>> text = ("patient_id,claim_id,line_number,date_of_service,place_of_service,code,modifiers,units\\n"
...         "P1,C1,1,2025-03-04,11,64483,50,1\\n"
...         "P1,C1,2,2025-02-30,11,64483,,1\\n")
>>> claims = read_claims(io.StringIO(text))
>>> len(claims.lines), claims.rejects[["row", "reason"]].values.tolist()
(1, [[2, "date_of_service: expected a date as YYYY-MM-DD, got '2025-02-30'"]])
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from esi_reference.audit.arrow_reader import Ids, read_arrow
from esi_reference.audit.columns import COLUMN_NAMES, DRUG_FACT_COLUMNS, REQUIRED
from esi_reference.errors import EsiError, InvalidField
from esi_reference.files import MAX_CLAIMS_BYTES, check_input, csv_problem, encoding_problem
from esi_reference.model import fields
from esi_reference.model.encounter import (
    CLAIM_TYPES,
    CONTAINERS,
    CONTRACTOR_LCDS,
    NDC_UNITS,
    PAYERS,
    SUPPLIERS,
    parse_ndc,
)

REJECT_COLUMNS = ("row", "patient_id", "claim_id", "line_number", "code", "reason")


@dataclass
class Claims:
    """Validated claim lines plus the rejected rows.

    ``lines`` has one row per accepted input row, indexed by nothing in particular, with a ``row``
    column (1-based data row number), the identifiers (text) and ``patient_code`` (a dense integer per
    patient), ``dos`` (datetime64 day), ``code`` (category of catalogue codes), ``modifiers`` (category,
    normalised), ``units`` and ``line_number`` (int32), ``place_of_service``, ``diagnosis_codes``,
    ``payer``, ``claim_type``, ``contractor``, ``rendering_provider`` (categories) and ``drug_dose`` (float,
    NaN = none).
    ``rejects`` has :data:`REJECT_COLUMNS`. ``rows_read`` = len(lines) + len(rejects).
    """

    lines: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int


def normalise_column(name: object) -> str:
    """A header name as the reader matches it: spaces around it, case, and inner runs of spaces or hyphens
    ignored (``"Date of Service"`` and ``"date-of-service"`` are ``date_of_service``).

    >>> normalise_column(" Patient ID "), normalise_column("\ufeffclaim_id")
    ('patient_id', 'claim_id')
    """
    return re.sub(r"[\s\-]+", "_", str(name).lstrip("\ufeff").strip().lower())


def _header_record(source: object) -> tuple[list[str], int]:
    """The header's fields, parsed as CSV (quoted names, commas and newlines inside quotes), and how many
    physical lines the header record spans."""
    if isinstance(source, io.TextIOBase):
        pos = source.tell()
        reader = csv.reader(source)
        try:
            fields = next(reader, [])
        except csv.Error as exc:
            raise EsiError(f"header: {csv_problem(exc)}", "header") from None
        finally:
            source.seek(pos)
        return fields, reader.line_num
    with open(source, "rb") as f:  # type: ignore[arg-type]
        head = f.read(4096)
    problem = encoding_problem(head)
    if problem:
        raise EsiError(f"{source}: {problem}, expected a claim-line CSV file", "encoding")
    try:
        with open(source, encoding="utf-8-sig", newline="") as f:  # type: ignore[arg-type]
            reader = csv.reader(f)
            with _field_limit():
                fields = next(reader, [])
            return fields, reader.line_num
    except UnicodeDecodeError as exc:
        raise EsiError(f"{source}: not UTF-8 text ({exc.reason} in the header)", "encoding") from None
    except csv.Error as exc:
        raise EsiError(f"{source}: header: {csv_problem(exc)}", "header") from None


def _header(source: object) -> list[str]:
    """The normalised header names. Unnamed columns at the end (a header row ending in commas) become
    ``_extra*`` columns, so that a value under them is rejected like any surplus field."""
    fields, _ = _header_record(source)
    if not any(f.strip() for f in fields):
        raise EsiError(f"{source}: empty file (expected a header row with {', '.join(REQUIRED)})", "header")
    names = [normalise_column(f) for f in fields]
    while names and not names[-1]:
        names.pop()
    return names + [f"_extra_header{i}" for i in range(len(fields) - len(names))]


def _check_header(header: list[str], source: object) -> None:
    """Required columns present, each column once. Only column names are ever quoted back: a file without
    a header has patient data in its first row, which must not reach a message."""
    known = [h for h in header if h in COLUMN_NAMES]
    for name in dict.fromkeys(known):
        places = [i + 1 for i, h in enumerate(header) if h == name]
        if len(places) > 1:
            raise InvalidField(
                "header",
                f"each column once; columns {' and '.join(map(str, places))} are both {name} "
                "(names are matched without case, surrounding spaces, and with spaces or hyphens as _)",
            )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        found = ", ".join(known) if known else "none - is the header row missing?"
        raise InvalidField(
            "header",
            f"the required columns {', '.join(REQUIRED)}; missing {', '.join(missing)} "
            f"(the first row has {len(header)} fields; known column names found: {found})",
        )


@contextlib.contextmanager
def _field_limit() -> Iterator[None]:
    """Lift the csv module's 128 KB field limit for the reader's own scans (pandas and pyarrow have none:
    a long field is read, then validated like any other)."""
    previous = csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _read_raw(source: object, header: list[str]) -> pd.DataFrame:
    """All fields as strings/categories, by pandas' C engine. The frame is as wide as the widest row, so a
    row with more fields than the header never shifts the columns: its surplus fields land in ``_extra*``
    columns (empty ones are ignored: spreadsheet exports end rows with commas; others get the row rejected)."""
    widest = _widest_row(source)
    try:
        return _read_csv(source, header, max(0, widest - len(header)))
    except pd.errors.ParserError as exc:
        raise EsiError(f"{source}: cannot parse the CSV ({exc})", "csv") from exc


def _widest_row(source: object) -> int:
    """Largest field count of any row (a csv-module scan: the fallback reader only)."""
    if isinstance(source, io.TextIOBase):
        source.seek(0)
        reader = csv.reader(source)
        try:
            with _field_limit():
                return max((len(r) for r in reader), default=0)
        except csv.Error as exc:
            raise EsiError(f"row {reader.line_num - 1}: {csv_problem(exc)}", "csv") from None
    with open(source, encoding="utf-8-sig", newline="") as f:  # type: ignore[arg-type]
        reader = csv.reader(f)
        try:
            with _field_limit():
                return max((len(r) for r in reader), default=0)
        except csv.Error as exc:
            raise EsiError(f"{source}: line {reader.line_num}: {csv_problem(exc)}", "csv") from None
        except UnicodeDecodeError as exc:
            raise EsiError(f"{source}: not UTF-8 text ({exc.reason} after line {reader.line_num})", "csv") from None


def _read_csv(source: object, header: list[str], extra: int) -> pd.DataFrame:
    """One C-engine read, every field as text. The header record is parsed as a data row (then dropped),
    with names for ``extra`` spare columns: the parser then never takes a column as the index (which it
    does when the first data row is one field longer than the header) nor meets a row wider than the frame."""
    if isinstance(source, io.TextIOBase):
        source.seek(0)
    # No usecols: with it the C parser silently drops the surplus fields of an over-long row, which must
    # be rejected instead. Unknown columns are read as text (under placeholder names) and dropped.
    spare = [f"_extra{i}" for i in range(extra)]
    names = [n if n in COLUMN_NAMES or n.startswith("_extra") else f"_other{i}" for i, n in enumerate(header)] + spare
    dtype = {n: ("str" if n in ("patient_id", "claim_id") or n.startswith("_") else "category") for n in names}
    try:
        # One parser thread: pandas' parallel read splits categorical columns into chunks whose categories
        # must then be merged, which costs more than it gains for this dtype mix (measured).
        with pd.option_context("mode.max_threads", 1):
            frame = pd.read_csv(
                source,
                header=None,
                names=names,
                dtype=dtype,
                keep_default_na=False,
                na_values=[""],
                encoding="utf-8-sig",
                engine="c",
                skip_blank_lines=False,
            )
    except UnicodeDecodeError as exc:
        raise EsiError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})", "csv") from exc
    frame = frame.drop(columns=[n for n in names if n.startswith("_other")]).iloc[1:].reset_index(drop=True)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].cat.remove_unused_categories()  # the header's own text
    frame.attrs["esi_reader"] = True
    return frame


def _category_map(series: pd.Series, func) -> tuple[np.ndarray, list]:
    """Apply ``func`` to each distinct value of a categorical; returns (codes, per-category results)."""
    cats = series.cat.categories
    return series.cat.codes.to_numpy(), [func(v) for v in cats]


def _as_text(value: object, width: int = 0) -> str:
    """A category value as text. read_csv infers numeric categories when every value of a column is a
    number, which drops leading zeros: numeric CPT codes are 5 digits and POS codes 2, so pad back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | np.integer) and width and value >= 0:
        return f"{int(value):0{width}d}"
    return str(value)


def _read(name: str, read, width: int = 0, **options):
    """A per-category parser from a reader of the field vocabulary: (value, '') or (None, reason)."""

    def parse(value: object) -> tuple[object | None, str]:
        try:
            return read(_as_text(value, width).strip(), name, **options), ""  # a CSV cell may be padded
        except EsiError as exc:
            return None, str(exc)

    return parse


def _joined(read):
    """Readers of several values in one cell, joined by a space (the stored form)."""
    return lambda value, path: " ".join(read(value, path))


def _date_result(value: object) -> tuple[np.datetime64 | None, str]:
    day, reason = _read("date_of_service", fields.date)(value)
    return (np.datetime64(day, "D") if day is not None else None), reason


def _choice(name: str, options: tuple[str, ...], upper: bool = False):
    def parse(value: object) -> tuple[str | None, str]:
        text = _as_text(value).strip()
        text = text.upper() if upper else text.lower()
        if text in options:
            return text, ""
        return None, f"{name}: expected one of {', '.join(options)}, got {value!r}"

    return parse


#: Each column's values are read with the field vocabulary (:mod:`esi_reference.model.fields`), as the encounter
#: parser reads them.
_PARSERS = {
    "code": _read("code", fields.code, 5),
    "date_of_service": _date_result,
    "units": _read("units", fields.units, text=True),
    "line_number": _read("line_number", fields.units, high=999999, text=True),
    "modifiers": _read("modifiers", _joined(fields.modifiers)),
    "diagnosis_codes": _read("diagnosis_codes", _joined(fields.diagnoses_text)),
    "drug_dose": _read("drug_dose", fields.dose, text=True),
    "place_of_service": _read("place_of_service", fields.place_of_service, 2),
    "payer": _choice("payer", PAYERS),
    "claim_type": _choice("claim_type", CLAIM_TYPES),
    "contractor": _choice("contractor", tuple(CONTRACTOR_LCDS), upper=True),
    "rendering_provider": lambda value: (_as_text(value).strip() or None, ""),
    "container": _choice("container", CONTAINERS),
    "container_amount": _read("container_amount", fields.amount, text=True),
    "discarded": _read("discarded", fields.amount, text=True, zero=True),
    "supplied_by": _choice("supplied_by", SUPPLIERS),
    "ndc": _read("ndc", parse_ndc),
    "ndc_unit": _choice("ndc_unit", tuple(NDC_UNITS), upper=True),
    "ndc_quantity": _read("ndc_quantity", fields.ndc_quantity, text=True),
}


def read_claims(source: str | os.PathLike[str] | io.TextIOBase, max_bytes: int = MAX_CLAIMS_BYTES) -> Claims:
    """Read and validate a claim-line CSV (path or text stream; a file of at most ``max_bytes``); see the
    module docstring."""
    if isinstance(source, os.PathLike):
        source = str(source)
    if isinstance(source, str):
        check_input(source, "a claim-line CSV file", max_bytes)
    header = _header(source)
    _check_header(header, source)
    _, header_lines = _header_record(source)
    regular = header_lines == 1 and not any(h.startswith("_extra") for h in header)
    fast = read_arrow(source, header) if regular else None
    if fast is not None:
        raw, ids = fast
        return validate(raw, _ids=ids)
    raw = _read_raw(source, header)
    return validate(raw)


def validate(raw: pd.DataFrame, *, _ids: dict[str, Ids] | None = None) -> Claims:
    """Validate a raw frame (columns as read from the CSV, values as text) into accepted lines and rejects.

    Rows are numbered 1, 2, … in frame order, unless the frame carries its own ``row`` column.
    """
    if _ids is None:
        names = [normalise_column(c) if not str(c).startswith("_") else str(c) for c in raw.columns]
        _check_header(names, "frame")
        raw = raw.set_axis(names, axis=1)
    raw = _as_categories(raw)
    n = len(raw) if _ids is None else len(_ids["patient_id"].codes)
    reason = np.full(n, -1, dtype=np.int32)  # index into `reasons`, -1 = accepted so far
    reasons: list[str] = []
    out: dict[str, object] = {}

    def flag(mask: np.ndarray, text_per_row: np.ndarray | None = None, text: str = "") -> None:
        nonlocal reason
        if not mask.any():  # the common case: nothing wrong in this column
            return
        mask = mask & (reason < 0)
        if text_per_row is None:
            reasons.append(text)
            reason[mask] = len(reasons) - 1
        else:
            reason[mask] = text_per_row[mask]

    # Rows with more fields than the header, and blank lines.
    extra = [c for c in raw.columns if c.startswith("_extra")]
    if extra:
        too_many = raw[extra].notna().any(axis=1).to_numpy()
        flag(too_many, text="row has more fields than the header")
    # Identifiers: factorized once (no sort), so grouping later works on small integers (-1 = missing).
    if _ids is not None:
        pid_codes, pid_uniques = _ids["patient_id"].codes, _ids["patient_id"].uniques
        cid_codes, cid_uniques = _ids["claim_id"].codes, _ids["claim_id"].uniques
    else:
        pid_codes, pid_uniques = pd.factorize(raw["patient_id"].to_numpy(object), use_na_sentinel=True)
        cid_codes, cid_uniques = pd.factorize(raw["claim_id"].to_numpy(object), use_na_sentinel=True)
    # An identifier of spaces only is missing (the reader already turns empty fields into missing values).
    for codes, uniques in ((pid_codes, pid_uniques), (cid_codes, cid_uniques)) if _ids is None else ():
        if raw.attrs.get("esi_reader"):
            # Only values starting with whitespace can be blank: test the first characters in one go.
            blank = np.append(np.char.isspace(np.asarray(uniques, dtype="U1")), True)
            for i in np.flatnonzero(blank[:-1]):
                blank[i] = not str(uniques[i]).strip()
        else:
            blank = np.append(pd.Index(uniques).astype(str).str.strip() == "", True)
        if blank[:-1].any():
            codes[blank[codes]] = -1
    for name in REQUIRED:
        if name == "patient_id":
            missing = pid_codes < 0
        elif name == "claim_id":
            missing = cid_codes < 0
        else:
            missing = raw[name].cat.codes.to_numpy() < 0
        flag(missing, text=f"{name}: missing value (required column)")
    for name, parse in _PARSERS.items():
        if name not in raw.columns:
            continue
        col = raw[name]
        if not isinstance(col.dtype, pd.CategoricalDtype):
            col = col.astype("category")
        codes, results = _category_map(col, parse)
        values = [r[0] for r in results]
        messages = [r[1] for r in results]
        bad = np.array([bool(m) for m in messages] + [False], dtype=bool)  # last slot = NaN (code -1)
        if bad.any():
            base = len(reasons)
            reasons.extend(messages)
            per_cat = np.arange(base, base + len(messages) + 1, dtype=np.int32)
            flag(bad[codes], per_cat[codes])
        out[name] = (codes, values)

    for mask, text in _drug_fact_problems(out, n):
        flag(mask, text=text)
    out["patient_id"] = (pid_codes, pid_uniques if _ids is None else _ids["patient_id"])
    out["claim_id"] = (cid_codes, cid_uniques if _ids is None else _ids["claim_id"])
    rows = raw["row"].to_numpy(dtype=np.int64) if "row" in raw.columns else np.arange(1, n + 1, dtype=np.int64)
    # Duplicate claim lines among the rows still accepted: reject the second and later occurrences.
    ok = np.flatnonzero(reason < 0)
    if len(ok) and "line_number" in out:
        ln_codes, ln_values = out["line_number"]  # type: ignore[misc]
        ln_lut = np.array([v if v is not None else 0 for v in ln_values] + [0], dtype=np.int64)
        width = int(ln_lut.max()) + 1
        key = cid_codes[ok].astype(np.int64) * width + ln_lut[ln_codes[ok]]
        top = int(key.max()) + 1
        # Keys that only grow (a file in claim order, the usual case) cannot repeat; else a counting sort
        # when the key range is small, else hashing.
        if len(key) < 2 or bool((key[1:] > key[:-1]).all()):
            maybe = False
        else:
            maybe = bool((np.bincount(key, minlength=top) > 1).any()) if top <= 50_000_000 else True
        dup = pd.Series(key).duplicated().to_numpy() if maybe else np.zeros(len(key), dtype=bool)
        if dup.any():
            first = pd.Series(ok[~dup], index=key[~dup])
            first_rows = rows[first.reindex(key[dup]).to_numpy()]
            base = len(reasons)
            reasons.extend(f"duplicate claim line: claim_id and line_number repeat row {r}" for r in first_rows)
            reason[ok[dup]] = np.arange(base, base + int(dup.sum()), dtype=np.int32)
    keep = reason < 0
    lines = _assemble(out, keep, rows)
    rejected = ~keep
    rej_idx = np.flatnonzero(rejected)
    reasons_arr = np.array(reasons, dtype=object) if reasons else np.array([], dtype=object)
    rejects = pd.DataFrame(
        {
            "row": rows[rej_idx],
            "patient_id": raw["patient_id"].to_numpy()[rej_idx] if _ids is None else _ids["patient_id"].text(rej_idx),
            "claim_id": raw["claim_id"].to_numpy()[rej_idx] if _ids is None else _ids["claim_id"].text(rej_idx),
            "line_number": _raw_text(raw["line_number"], rej_idx),
            "code": _raw_text(raw["code"], rej_idx),
            "reason": reasons_arr[reason[rej_idx]] if len(rej_idx) else np.array([], dtype=object),
        }
    )
    return Claims(lines=lines, rejects=rejects, rows_read=n)


def _drug_fact_problems(out: dict[str, object], n: int) -> Iterator[tuple[np.ndarray, str]]:
    """Rows whose drug facts contradict each other, as the encounter parser refuses them (row masks, reasons)."""

    def number(name: str) -> np.ndarray:
        if name not in out:
            return np.full(n, np.nan)
        codes, values = out[name]  # type: ignore[misc]
        return np.array([np.nan if v is None else v for v in values] + [np.nan], dtype=np.float64)[codes]

    def given(name: str) -> np.ndarray:
        if name not in out:
            return np.zeros(n, dtype=bool)
        codes, values = out[name]  # type: ignore[misc]
        return np.array([v is not None for v in values] + [False], dtype=bool)[codes]

    if not any(name in out for name in DRUG_FACT_COLUMNS):
        return
    labeled, discarded, dose = number("container_amount"), number("discarded"), number("drug_dose")
    with np.errstate(invalid="ignore"):
        yield discarded > labeled, "discarded: expected at most container_amount (the labeled amount opened)"
        yield (
            dose + np.nan_to_num(discarded) > labeled + 1e-9,
            "drug_dose: expected drug_dose + discarded within container_amount (the labeled amount opened)",
        )
    yield given("container_amount") & ~given("container"), "container: expected a container kind with container_amount"
    ndc = given("ndc")
    for name in ("ndc_unit", "ndc_quantity"):
        yield ndc & ~given(name), f"{name}: expected a value with ndc"
        yield given(name) & ~ndc, f"ndc: expected an NDC with {name}"


def _as_categories(raw: pd.DataFrame) -> pd.DataFrame:
    """Frames that did not come from the reader (API callers, Dask partitions): every known column except
    the identifiers becomes a categorical with blank values as missing."""
    todo = [
        c
        for c in raw.columns
        if c in COLUMN_NAMES
        and c not in ("patient_id", "claim_id")
        and not isinstance(raw[c].dtype, pd.CategoricalDtype)
    ]
    if not todo:
        return raw
    raw = raw.copy()
    for c in todo:
        col = raw[c].astype("category")
        blank = [v for v in col.cat.categories if isinstance(v, str) and not v.strip()]
        raw[c] = col.cat.remove_categories(blank) if blank else col
    return raw


def _raw_text(col: pd.Series, idx: np.ndarray) -> np.ndarray:
    """Values of a categorical column at ``idx`` as text as read ('' for missing)."""
    cats = np.array([str(v) for v in col.cat.categories] + [""], dtype=object)
    return cats[col.cat.codes.to_numpy()[idx]]


def _decoded(codes: np.ndarray, values: list, keep: np.ndarray, kind: str, everything: bool) -> object:
    """Turn per-category parse results back into a column for the kept rows."""
    kept = codes if everything else codes[keep]
    if kind == "category":
        cats = [v for v in values]
        # map to a fresh categorical with unique valid values
        uniq = pd.Index([v for v in dict.fromkeys(v for v in cats if v is not None)])
        remap = np.array([uniq.get_loc(v) if v is not None else -1 for v in cats] + [-1], dtype=np.int32)
        return pd.Categorical.from_codes(remap[kept], categories=uniq, validate=False)
    if kind == "int":
        lut = np.array([v if v is not None else 0 for v in values] + [0], dtype=np.int32)
        return lut[kept]
    if kind == "float":
        lut = np.array([v if v is not None else np.nan for v in values] + [np.nan], dtype=np.float64)
        return lut[kept]
    if kind == "date":
        lut = np.array(
            [v if v is not None else np.datetime64("NaT") for v in values] + [np.datetime64("NaT")],
            dtype="datetime64[D]",
        )
        return lut[kept].astype("datetime64[s]")
    raise AssertionError(kind)


_KINDS = {
    "code": "category",
    "date_of_service": "date",
    "units": "int",
    "line_number": "int",
    "modifiers": "category",
    "diagnosis_codes": "category",
    "drug_dose": "float",
    "place_of_service": "category",
    "payer": "category",
    "claim_type": "category",
    "contractor": "category",
    "rendering_provider": "category",
    "container": "category",
    "container_amount": "float",
    "discarded": "float",
    "supplied_by": "category",
    "ndc": "category",
    "ndc_unit": "category",
    "ndc_quantity": "float",
}


def _assemble(out: dict[str, object], keep: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    everything = bool(keep.all())

    def take(a: np.ndarray) -> np.ndarray:
        return a if everything else a[keep]

    count = int(keep.sum())
    data: dict[str, object] = {"row": take(rows)}
    for name in ("patient_id", "claim_id"):
        codes, uniques = out[name]  # type: ignore[misc]
        kept = take(codes)
        if isinstance(uniques, Ids):
            data[name] = uniques.column(kept)
        else:
            data[name] = np.asarray(uniques, dtype=object)[kept]  # plain text (a categorical re-hashes the uniques)
        if name == "patient_id":
            data["patient_code"] = kept.astype(np.int64)  # dense patient number, for grouping
    for name, kind in _KINDS.items():
        key = "dos" if name == "date_of_service" else name
        if name in out:
            codes, values = out[name]  # type: ignore[misc]
            data[key] = _decoded(codes, values, keep, kind, everything)
        elif kind == "category":
            data[key] = pd.Categorical.from_codes(np.full(count, -1, dtype=np.int8), categories=[])
        elif kind == "float":
            data[key] = np.full(count, np.nan)
    return pd.DataFrame(data, copy=False)
