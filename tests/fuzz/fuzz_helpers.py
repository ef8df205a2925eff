"""Shared pieces of the fuzz suite: junk file contents, the CLI run in-process, output checks."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import traceback
from pathlib import Path

from hypothesis import strategies as st

from esi_reference.cli import main
from esi_reference.views.output import FORMULA_STARTS, NUMBER_PATTERN

#: Largest stderr any fuzzed run printed (reported by the suite's last test).
LARGEST_STDERR = {"bytes": 0}
ERROR_LIMIT = 10_000

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=15,
)
SPECIAL_FILES = [
    b"",
    b"\n",
    b"\x00\x01\x02",
    ("[" * 100_000 + "]" * 100_000).encode(),
    ('{"date_of_service": ' + "9" * 5000 + "}").encode(),
    '{"id": "x"}'.encode("utf-16"),
    "\ufeffpatient_id,claim_id\n".encode("utf-16-le"),
    b'"' + b"x" * 140_000 + b'"\n',
    b"learner,scenario,code\n" + b"a,b," + b"6" * 140_000 + b"\n",
    b"\xef\xbb\xbfpatient_id,claim_id,line_number,date_of_service,code,units\r\nP1,C1,1,2025-03-04,64483,1,\r\n",
    b"patient_id,claim_id,line_number,date_of_service,code,units\nP1,C1,1,2025-03-04,64483,1,,x\n",
    b"Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale\n62321,62323,,20240101,20249999,7,x\n",
    b"HCPCS,MUE,MAI\n62323,1,9 bad\n62321,x,2\n",
    b"learner,scenario,code,line\n=cmd,tf-bilateral-one-level,64483,1\n\x1b[2J,tf-bilateral-one-level,64483,1\n",
    b'{"date_of_service": "2025-03-04", "place_of_service": "11", "procedures": [], "id": "\\u001b[2J"}',
]


ROOT = Path(__file__).resolve().parents[2]
REAL_FILES = [
    *(p.read_bytes() for p in sorted((ROOT / "examples").glob("*.json"))[:12]),
    (ROOT / "examples" / "claims" / "sample_claims.csv").read_bytes(),
    *(p.read_bytes() for p in sorted((ROOT / "tests" / "fixtures" / "spreadsheet_exports").glob("*.csv"))),
    b"learner,scenario,line,code,modifiers,units\nana,tf-bilateral-one-level,1,64483,50,1\n"
    b"ana,il-cervical-fluoro,1,62321,,1\n@ben,drug-facility,1,J3301,,4\n",
    b"Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale\n62321,62323,,20240101,*,0,x\n",
    b"HCPCS,MUE Values,MAI,Rationale\n62323,0,2 Date of Service Edit: Policy,test\n",
]


#: The real files by the kind of input they are (the careful invocations of the CLI fuzz pick the right one).
REAL_BY_KIND = {
    "encounter": REAL_FILES[:12],
    "claims": [f for f in REAL_FILES if f.lstrip(b"\xef\xbb\xbf").lower().startswith((b"patient", b'"patient'))],
    "answers": [REAL_FILES[-3]],
    "table": REAL_FILES[-2:],
}


@st.composite
def mutated(draw: st.DrawFn, kind: str = "", most: int = 4) -> bytes:
    """A real input file (an example encounter, claims, answers, a CMS table) with a few bytes changed."""
    data = bytearray(draw(st.sampled_from(REAL_BY_KIND[kind] if kind else REAL_FILES)))
    for _ in range(draw(st.integers(0, most))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.integers(0, 2))
        junk = draw(
            st.sampled_from([b",", b'"', b"\n", b"\r\n", b"\x00", b"=", b"\x1b[2J", b"\xff", b"99999999", b"-"])
        )
        if how == 0:
            data[at:at] = junk
        elif how == 1:
            del data[at : at + draw(st.integers(1, 20))]
        else:
            data = data[:at]
    return bytes(data)


@st.composite
def file_contents(draw: st.DrawFn) -> bytes:
    """Bytes a careless user or an attacker might hand the CLI as a file."""
    kind = draw(st.integers(0, 9))
    if kind >= 8:
        return draw(st.sampled_from(REAL_FILES))
    if kind >= 6:
        return draw(mutated())
    if kind == 0:
        return draw(st.sampled_from(SPECIAL_FILES))
    if kind == 1:
        return draw(st.binary(max_size=300))
    if kind == 2:
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == 3:
        cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=8) | st.sampled_from(
            ["64483", "50", "2025-03-04", "=1+1", "P1", "tf-bilateral-one-level", ""]
        )
        rows = draw(st.lists(st.lists(cells, max_size=8), max_size=6))
        header = draw(
            st.sampled_from(
                [
                    "learner,scenario,code,modifiers,units",
                    "patient_id,claim_id,line_number,date_of_service,code,units",
                    "Column 1,Column 2,*,Effective Date,Deletion Date,Modifier,Rationale",
                    "code,mue,mai",
                ]
            )
        )
        buf = io.StringIO()
        csv.writer(buf).writerows(rows)
        return (header + "\n" + buf.getvalue()).encode()
    if kind == 4:
        return draw(st.text(max_size=300)).encode("utf-8", "surrogatepass")
    data = {"date_of_service": "2025-03-04", "place_of_service": "11", "procedures": []}
    data[draw(st.sampled_from(["procedures", "claim", "diagnoses", "id", "payer", "extra"]))] = draw(JSON_VALUES)
    return json.dumps(data).encode()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """main(argv) in-process: (exit status, stdout, stderr). Anything but a return value is a failure."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's --help and --version exit 0 by design
            code = exc.code if isinstance(exc.code, int) else 0
            assert code == 0, f"SystemExit({exc.code!r}) escaped main for {argv!r}"
        except BaseException:
            raise AssertionError(f"main raised for {argv!r}:\n{traceback.format_exc()}") from None
    return code, out.getvalue(), err.getvalue()


def check_run(argv: list[str]) -> tuple[int, str, str]:
    """run_cli plus the suite's invariants: exit 0/1/2 only, stderr short and without a traceback."""
    code, out, err = run_cli(argv)
    size = len(err.encode("utf-8", "surrogatepass"))
    LARGEST_STDERR["bytes"] = max(LARGEST_STDERR["bytes"], size)
    assert code in (0, 1, 2), f"exit {code} for {argv!r}: {err[:500]}"
    assert "Traceback" not in err, err[:2000]
    assert size < ERROR_LIMIT, f"{size} bytes on stderr for {argv!r}"
    assert "\x1b" not in err and "\x1b" not in out, f"raw escape sequence printed for {argv!r}"
    return code, out, err


_NUMBER = re.compile(NUMBER_PATTERN)


def live_formulas(path: str | os.PathLike[str]) -> list[str]:
    """The cells of a CSV file that a spreadsheet would run as a formula."""
    with open(path, newline="", encoding="utf-8") as f:
        return [c for r in csv.reader(f) for c in r if c.startswith(FORMULA_STARTS) and not _NUMBER.match(c)]


def csv_outputs(folder: Path, inputs: set[Path]) -> list[Path]:
    return [p for p in folder.rglob("*.csv") if p not in inputs and not p.name.startswith(".")]


def no_temporary_files(folder: Path) -> None:
    left = [p.name for p in folder.rglob(".*.part")]
    assert not left, f"temporary files left behind: {left}"


@contextlib.contextmanager
def claims_reader(reader: str):
    """Select the claims reader for a block: ``arrow`` (as installed) or ``c-engine`` (the pandas fallback, as
    on a machine without pyarrow). A plain context manager, entered once per hypothesis example."""
    from esi_reference.audit import format as fmt

    real = fmt.read_arrow
    if reader == "c-engine":
        fmt.read_arrow = lambda source, header: None
    try:
        yield
    finally:
        fmt.read_arrow = real
