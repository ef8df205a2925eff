"""Every ``esi-ref`` subcommand - including ones added later, read from the parser - with junk arguments
and junk files: exit 0, 1 or 2 only, never a traceback, stderr under 10 KB, no raw escape sequence, no
temporary file left behind and no live spreadsheet formula in any CSV written."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from fuzz_helpers import (
    LARGEST_STDERR,
    check_run,
    csv_outputs,
    file_contents,
    live_formulas,
    mutated,
    no_temporary_files,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import examples

from esi_reference.cli import build_parser

_SUB = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
COMMANDS = sorted(_SUB.choices)
JUNK_WORDS = st.sampled_from(
    ["", "-1", "0", "nan", "1e999", "2025-02-30", "0001-01-01", "2100-12-31", "64483", "esi", "L5-S1", "\x1b[2J",
     "=1+1", "🦴", "x" * 5000, "--", "-", "--format", "62321x", "tf-bilateral-one-level"]
) | st.text(max_size=12)  # fmt: skip


def _options(command: str) -> list[argparse.Action]:
    return [a for a in _SUB.choices[command]._actions if a.option_strings and "-h" not in a.option_strings]


def _positionals(command: str) -> list[argparse.Action]:
    return [a for a in _SUB.choices[command]._actions if not a.option_strings]


#: What the careful invocations give each command: its kind of input file, and a sensible value per option.
INPUT_KIND = {"check": "encounter", "suggest": "encounter", "audit": "claims", "grade": "answers"}
GOOD_VALUES = {
    "as_of": st.sampled_from(["2025-03-04", "2016-12-31", "1990-01-01"]),
    "pass_mark": st.sampled_from(["80", "0", "100", "55.5"]),
    "max_mb": st.sampled_from(["1", "0.001", "5000"]),
    "family": st.sampled_from(["esi", "esi_transforaminal", "drug"]),
    "kind": st.sampled_from(["primary", "add-on", "drug"]),
}
OUTPUT_NAMES = {"out": "o.csv", "detail": "d.csv", "summary": "s.json", "chart": "c.svg"}


@st.composite
def careful_invocations(draw: st.DrawFn) -> tuple[list[object], list[bytes]]:
    """A command with the right kind of file (a real one, lightly mutated) and mostly sensible options, so
    that the fuzzing reaches the reading, checking and writing code, not only the argument errors."""
    command = draw(st.sampled_from(COMMANDS))
    kind = INPUT_KIND.get(command, "")
    files = [draw(mutated(kind, most=2)), draw(mutated("table", most=2))]
    argv: list[object] = [command, *(("in", 0) for _ in _positionals(command))]
    if not kind and _positionals(command):
        argv[1:] = [draw(JUNK_WORDS) for _ in _positionals(command)]
    for action in (
        draw(st.lists(st.sampled_from(_options(command)), max_size=4, unique=True)) if _options(command) else ()
    ):
        argv.append(action.option_strings[-1])
        if action.nargs == 0:
            continue
        if action.choices:
            argv.append(draw(st.sampled_from(list(action.choices))))
        elif action.dest in OUTPUT_NAMES:
            argv.append(("out", OUTPUT_NAMES[action.dest] if command == "audit" or action.dest == "chart" else "out"))
        elif action.dest.endswith("_file"):
            argv.append(("in", 1))
        else:
            argv.append(draw(GOOD_VALUES.get(action.dest, JUNK_WORDS)))
    return argv, files


@st.composite
def invocations(draw: st.DrawFn) -> tuple[list[object], list[bytes]]:
    """argv with placeholders: ("in", k) an input file, ("out", name) an output path, ("dir",) a folder."""
    command = draw(st.sampled_from(COMMANDS))
    files = draw(st.lists(file_contents(), min_size=1, max_size=3))
    value = (
        st.tuples(st.just("in"), st.integers(0, len(files) - 1))
        | st.tuples(st.just("out"), st.sampled_from(["o.csv", "d.csv", "s.json", "c.svg", "out", "o.csv"]))
        | st.just(("dir",))
        | st.just(os.devnull)
        | JUNK_WORDS
    )
    argv: list[object] = [command]
    for _ in _positionals(command):  # mostly one of the files: the command then reads it
        argv.append(("in", 0) if draw(st.integers(0, 9)) < 7 else draw(value))
    options = _options(command)
    for action in draw(st.lists(st.sampled_from(options), max_size=4, unique=True)) if options else ():
        argv.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            pick_choice = action.choices and draw(st.booleans())
            argv.append(draw(st.sampled_from(list(action.choices))) if pick_choice else draw(value))
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(0, len(argv))), draw(JUNK_WORDS))
    return argv, files


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invocations() | careful_invocations())
def test_every_command_survives_junk(case):
    argv, files = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        inputs = []
        for k, content in enumerate(files):
            inputs.append(folder / f"input{k}.csv")
            inputs[-1].write_bytes(content)
        resolved = []
        for token in argv:
            if isinstance(token, tuple):
                kind = token[0]
                token = str(inputs[token[1]]) if kind == "in" else str(folder / token[1]) if kind == "out" else tmp
            resolved.append(token)
        before = {p: p.read_bytes() for p in inputs}
        cwd = os.getcwd()
        os.chdir(tmp)  # a command that writes to a relative path writes in here
        try:
            code, _, _ = check_run(resolved)
        finally:
            os.chdir(cwd)
        event(f"{argv[0] if isinstance(argv[0], str) else '?'} exit {code}")
        assert {p: p.read_bytes() for p in inputs} == before, f"an input was modified by {resolved!r}"
        no_temporary_files(folder)
        if code in (0, 1):
            for path in csv_outputs(folder, set(inputs)):
                assert live_formulas(path) == [], f"live formula in {path.name} from {resolved!r}"


def test_largest_stderr_is_reported():
    """Runs after the fuzzing above (same module): the figure for the issue's note."""
    print(f"largest stderr of the CLI fuzz run: {LARGEST_STDERR['bytes']} bytes")
    assert LARGEST_STDERR["bytes"] < 10_000
