"""The fast claims-file reader: pyarrow's multi-threaded CSV parser (the ``tables`` extra).

:func:`read_arrow` parses every column as text, dictionary-encodes the low-cardinality columns while parsing
and hashes the two identifiers once (:class:`Ids`); for anything but a regular UTF-8 file it returns None
and :mod:`esi_reference.audit.format` reads the file with pandas' C engine instead.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from esi_reference.audit.columns import COLUMN_NAMES


@dataclass
class Ids:
    """An identifier column factorized by the pyarrow reader: ``codes`` index ``uniques`` (-1 = missing or
    blank); ``raw_codes`` are the codes before blank values were made missing (the text for rejects)."""

    codes: np.ndarray
    uniques: object  # a pyarrow StringArray
    raw_codes: np.ndarray

    def text(self, idx: np.ndarray) -> np.ndarray:
        codes = self.raw_codes[idx]
        values = np.full(len(codes), np.nan, dtype=object)
        have = codes >= 0
        if have.any():
            values[have] = self.uniques.take(codes[have]).to_pylist()
        return values

    def column(self, kept: np.ndarray) -> pd.Series:
        """The text of the kept rows as a pandas ``str`` column, built in Arrow (no Python strings)."""
        return pd.Series(self.uniques.take(kept), dtype="str", copy=False)


def _has_quote(f) -> bool:
    """Does the file contain a double quote anywhere? (memory-mapped scan, no copy)."""
    import mmap

    with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b'"') >= 0


def read_arrow(source: object, header: list[str]) -> tuple[pd.DataFrame, dict[str, Ids]] | None:
    """The fast reader: pyarrow's multi-threaded CSV parser, every column as text (no type inference), the
    low-cardinality columns dictionary-encoded while parsing and the identifiers hashed once in C++.

    Returns ``None`` - and the pandas C-engine reader takes over - when pyarrow is not installed or the file
    is anything but regular: a row with more or fewer fields than the header, text that is not
    UTF-8. The C-engine reader then rejects or refuses those rows and files exactly as before.
    """
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is in the tables extra; this is the fallback
        return None
    if isinstance(source, io.TextIOBase):
        source.seek(0)
        data = pa.py_buffer(source.read().encode("utf-8"))
        source.seek(0)
        quoted = b'"' in data
    else:
        data = source  # pyarrow reads the file itself, in parallel with parsing
        with open(source, "rb") as f:  # type: ignore[arg-type]
            quoted = os.fstat(f.fileno()).st_size > 0 and _has_quote(f)
    names = [n if n in COLUMN_NAMES else f"_other{i}" for i, n in enumerate(header)]
    text, dictionary = pa.string(), pa.dictionary(pa.int32(), pa.string())
    types = {n: (text if n in ("patient_id", "claim_id") or n.startswith("_") else dictionary) for n in names}
    try:
        table = pcsv.read_csv(
            data,
            read_options=pcsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            # A quoted field may span lines only if the file has quotes at all (the parallel chunker is
            # faster when it can split blocks at any newline).
            parse_options=pcsv.ParseOptions(newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types=types, strings_can_be_null=True, null_values=[""], quoted_strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # ragged rows, bad UTF-8 ...: the C-engine reader accounts for them
    n = table.num_rows
    # The identifiers are hashed in two threads (Arrow releases the GIL) while this one unifies the
    # dictionaries of the other columns.
    with ThreadPoolExecutor(2) as pool:
        hashing = {name: pool.submit(_identifier, table.column(name)) for name in ("patient_id", "claim_id")}
        columns: dict[str, object] = {}
        small = [c for c in names if types[c] == dictionary]
        if small:
            cats = table.select(small).unify_dictionaries().combine_chunks()
            for name in small:
                chunks = cats.column(name).chunks
                arr = chunks[0] if chunks else pa.array([], dictionary)
                codes = pc.fill_null(arr.indices, -1).to_numpy(zero_copy_only=False)
                categories = pd.Index(arr.dictionary.to_numpy(zero_copy_only=False), dtype=object)
                columns[name] = pd.Categorical.from_codes(codes, categories=categories, validate=False)
        ids = {name: future.result() for name, future in hashing.items()}
    raw = pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)
    return raw, ids


def _identifier(column) -> Ids:
    """One identifier column hashed into one dictionary for all chunks; an identifier of spaces only is
    missing."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(column).combine_chunks()
    uniques = encoded.dictionary
    raw_codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    codes = raw_codes
    blank = pc.utf8_is_space(uniques).to_numpy(zero_copy_only=False) if len(uniques) else np.zeros(0, bool)
    if blank.any():
        codes = np.where(np.append(blank, True)[raw_codes], -1, raw_codes)
    return Ids(codes, uniques, raw_codes)
