"""Writing the audit's tables (``--out``, ``--detail``) as CSV or JSON.

CSV goes through pyarrow's multi-threaded writer when pyarrow is installed (the ``tables`` extra): a
million-row line table takes well under a second instead of several with ``DataFrame.to_csv``. Text values
are then always quoted (valid RFC 4180 CSV, read back identically by any CSV reader); whole numbers are not;
missing and empty values are written as empty fields, as pandas writes them. Without pyarrow, for a frame
with other column types (floats, dates: pyarrow would format them differently), or for JSON, pandas writes
the file. Either way every CSV text cell is made spreadsheet-safe (``output.spreadsheet_safe``: a text
starting with = + - @ tab or CR gets a leading quote, a plain number is left alone); JSON is written as is.
The caller passes the temporary path of an :class:`~esi_reference.files.Outputs` run (atomic writes).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from esi_reference.errors import EsiError
from esi_reference.views.output import FORMULA_PATTERN, NUMBER_PATTERN, spreadsheet_safe


def write_frame(frame: pd.DataFrame, path: str, fmt: str = "csv") -> None:
    """Write ``frame`` to ``path`` as ``csv`` or ``json`` (records); a bad path is an :class:`EsiError`."""
    try:
        if fmt == "json":
            Path(path).write_text(frame.to_json(orient="records", date_format="iso", indent=1) + "\n", encoding="utf-8")
        elif not _write_csv_arrow(frame, path):
            # text quoted, as pyarrow writes it: csv's minimal quoting would leave a CR inside a value bare
            _spreadsheet_safe_frame(frame).to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC)
    except OSError as exc:
        raise EsiError(f"cannot write {path}: {exc.strerror}", "path") from exc


def _write_csv_arrow(frame: pd.DataFrame, path: str) -> bool:
    """Write with pyarrow; False when pyarrow is not installed (the caller falls back to pandas)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is in the tables extra; this is the fallback
        return False
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if not all(_plain(pa, column.type) for column in table.columns):
        return False  # e.g. floats: pyarrow writes 2.0 as "2", pandas as "2.0" - let pandas write the file
    columns = []
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            # made safe on its few distinct values (the dictionary), then decoded
            chunks = [
                pa.DictionaryArray.from_arrays(chunk.indices, _safe_text(pa, pc, chunk.dictionary))
                for chunk in column.chunks
            ]
            column = pa.chunked_array(chunks, type=column.type).cast(column.type.value_type)
        elif pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = _safe_text(pa, pc, column)
        columns.append(column)
    table = pa.table(columns, names=[str(c) for c in frame.columns])
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(table.column_names)  # pyarrow would quote every name
    with open(path, "wb") as f:
        f.write(header.getvalue().encode("utf-8"))
        pcsv.write_csv(table, f, pcsv.WriteOptions(include_header=False))
    return True


def _safe_text(pa, pc, column):
    """Text written as the pandas path writes it: an empty value as an empty field (pyarrow would quote it
    as ""), a value a spreadsheet would run as a formula behind a leading apostrophe."""
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column
    column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
    formula = pc.and_(
        pc.match_substring_regex(column, FORMULA_PATTERN),
        pc.invert(pc.match_substring_regex(column, NUMBER_PATTERN)),
    )
    if pc.any(formula).as_py():
        quoted = pc.binary_join_element_wise(pa.scalar("'", column.type), column, pa.scalar("", column.type))
        column = pc.if_else(formula, quoted, column)
    return column


def _spreadsheet_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell spreadsheet-safe (the pandas writer's path; numbers untouched)."""
    text = [
        c
        for c in frame.columns
        if frame[c].dtype == object or isinstance(frame[c].dtype, pd.StringDtype | pd.CategoricalDtype)
    ]
    if not text:
        return frame
    return frame.assign(**{str(c): frame[c].astype(object).map(spreadsheet_safe) for c in text})


def _plain(pa, kind) -> bool:
    """Types that pyarrow writes exactly as pandas does: whole numbers and text."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return pa.types.is_integer(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind)
