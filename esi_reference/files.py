"""Reading user files within limits and writing outputs atomically: the file edge of every command.

Reading. :func:`check_input` refuses, each with its own one-line :class:`~esi_reference.errors.EsiError`,
a path that does not exist, a folder, something that is not a regular file (``/dev/null``, a pipe, a
device), and a file over its size cap. :func:`read_text` then refuses UTF-16/UTF-32 text (a spreadsheet's
"Unicode text" export), binary files (NUL bytes) and any other text that is not UTF-8; a UTF-8 byte-order
mark is dropped. The caps: encounter JSON 5 MB, answers CSV 50 MB, claims CSV 4,000 MB and CMS tables
500 MB by default; the commands that read large files (``audit``, ``check``/``suggest`` with CMS tables,
``grade``) take ``--max-mb`` to change the cap of their large inputs (:func:`add_max_mb`).

Writing. :class:`Outputs` is the only way the project writes a result file. Every output of a run is first
written to a temporary file in its destination's folder (flushed and fsync-ed); :meth:`Outputs.commit`
renames them all into place with ``os.replace`` once every one is complete. A run that fails or is stopped
(an error, Ctrl+C, SIGTERM: ``cli.main`` turns SIGTERM into an exception) removes its temporary files
and leaves the destinations as they were: never a truncated file that looks complete, never some outputs
of the run without the others. An output path that is one of the run's inputs, or two outputs of one run
on one path (after resolving symbolic links), is refused before any work is done.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> target = os.path.join(folder, "out.csv")
>>> with Outputs([target]) as outputs:
...     outputs.write_text(target, "a,b\\n")
>>> Path(target).read_text(), sorted(os.listdir(folder))
('a,b\\n', ['out.csv'])
>>> Outputs([target], inputs=[target])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
esi_reference.errors.EsiError: ...out.csv: an output cannot overwrite the input file ...out.csv
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import signal
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from esi_reference.errors import EsiError

MB = 1_000_000
#: The largest cap ``--max-mb`` takes (1 TB): larger values, infinity and NaN are refused.
MAX_MB = 1_000_000
#: Default size caps, in bytes, per kind of input.
MAX_ENCOUNTER_BYTES = 5 * MB
MAX_ANSWERS_BYTES = 50 * MB
MAX_CLAIMS_BYTES = 4_000 * MB
MAX_TABLE_BYTES = 500 * MB

_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


def add_max_mb(parser: argparse.ArgumentParser, default: int, what: str) -> None:
    """The ``--max-mb`` option: the size cap of a command's large inputs (``what``), in megabytes."""
    parser.add_argument(
        "--max-mb",
        dest="max_mb",
        type=float,
        default=default / MB,
        help=f"refuse {what} larger than this many megabytes (default {default // MB:,})",
    )


def max_bytes(args: argparse.Namespace, default: int) -> int:
    """The cap chosen with ``--max-mb`` (``default`` when the command has no such option)."""
    value = getattr(args, "max_mb", None)
    if value is None:
        return default
    if not 0 < value <= MAX_MB:
        raise EsiError(f"--max-mb: expected a number of megabytes from above 0 to {MAX_MB:,}, got {value:g}")
    return int(value * MB)


def check_input(path: str | os.PathLike[str], what: str, limit: int) -> Path:
    """``path`` as a Path once it is known to be a readable regular file of at most ``limit`` bytes."""
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise EsiError(f"{path}: no such file (expected {what})", "path") from None
    except OSError as exc:
        raise EsiError(f"{path}: cannot read ({exc.strerror}; expected {what})", "path") from None
    if stat.S_ISDIR(info.st_mode):
        raise EsiError(f"{path}: is a folder, expected {what}", "path")
    if not stat.S_ISREG(info.st_mode):
        raise EsiError(f"{path}: is not a regular file (a device or a pipe), expected {what}", "path")
    if info.st_size > limit:
        raise EsiError(
            f"{path}: file is {_size(info.st_size)}, larger than the {_size(limit)} limit for {what}"
            " (raise it with --max-mb where the command has it)",
            "path",
        )
    return file


def _size(count: int) -> str:
    return f"{count / MB:,.1f} MB" if count >= 100_000 else f"{count:,} bytes"


def encoding_problem(head: bytes) -> str:
    """Why bytes from the start of a file are not UTF-8 text ('' when they may be)."""
    for bom, name in _BOMS.items():
        if head.startswith(bom):
            return f"is {name} text; save it as UTF-8 (in a spreadsheet: CSV UTF-8)"
    if b"\x00" in head:
        return "is a binary file, not text"
    return ""


def read_text(path: str | os.PathLike[str], what: str, limit: int) -> str:
    """The UTF-8 text of a user file (a leading byte-order mark dropped); every problem is one EsiError."""
    file = check_input(path, what, limit)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise EsiError(f"{path}: cannot read ({exc.strerror})", "path") from None
    problem = encoding_problem(data[:4096])
    if problem:
        raise EsiError(f"{path}: {problem}, expected {what}", "encoding")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EsiError(f"{path}: not UTF-8 text (line {line}: {exc.reason}), expected {what}", "encoding") from None


def csv_problem(exc: Exception) -> str:
    """A ``csv.Error`` in words (the one every reader meets: a field over the CSV module's limit)."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a field is longer than {csv.field_size_limit():,} characters (the CSV field limit)"
    if "new-line character seen in unquoted field" in text or "NUL" in text:
        return "not CSV text (a stray carriage return or NUL byte outside a quoted field)"
    return f"not valid CSV ({text})"


def _identity(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    if _identity(a) == _identity(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


class Outputs:
    """The output files of one run, written atomically and all-or-nothing; see the module docstring.

    Use as a context manager: :meth:`write_text` / :meth:`temp_path` during the run, :meth:`commit` (or a
    clean exit from the ``with`` block) renames everything into place; an exception removes the temps.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]], inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.targets = [str(p) for p in paths]
        self._temps: dict[str, str] = {}
        for i, target in enumerate(self.targets):
            for source in inputs:
                if source and _same_file(target, source):
                    raise EsiError(f"{target}: an output cannot overwrite the input file {source}", "path")
            for other in self.targets[:i]:
                if _same_file(target, other):
                    raise EsiError(f"{target}: two outputs of this run would be written to the same file", "path")
            if os.path.isdir(target):
                raise EsiError(f"{target}: is a folder, expected an output file name", "path")

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()

    def temp_path(self, target: str | os.PathLike[str]) -> str:
        """A new empty temporary file next to ``target``, renamed onto it by :meth:`commit`."""
        target = str(target)
        if target not in self.targets:
            raise AssertionError(f"{target} was not declared as an output of this run")
        folder = os.path.dirname(os.path.abspath(target))
        try:
            os.makedirs(folder, exist_ok=True)
            handle, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=folder)
        except OSError as exc:
            raise EsiError(f"cannot write {target}: {exc.strerror}", "path") from None
        os.fchmod(handle, _FILE_MODE)  # mkstemp makes 0600 files; an output gets the usual permissions
        os.close(handle)
        self._temps[target] = temp
        return temp

    def write_text(self, target: str | os.PathLike[str], text: str) -> None:
        with self.open_text(target) as f:
            f.write(text)

    @contextlib.contextmanager
    def open_text(self, target: str | os.PathLike[str]) -> Iterator[io.TextIOBase]:
        """The temporary file of ``target`` open for writing UTF-8 text (for writers that stream rows)."""
        temp = self.temp_path(target)
        try:
            with open(temp, "w", encoding="utf-8", newline="") as f:
                yield f  # type: ignore[misc]
        except OSError as exc:
            raise EsiError(f"cannot write {target}: {exc.strerror}", "path") from None

    def commit(self) -> None:
        """fsync every temporary file, then rename them all into place (signals held off meanwhile)."""
        try:
            for temp in self._temps.values():
                fd = os.open(temp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            self.discard()
            raise EsiError(f"cannot write the outputs: {exc.strerror}", "path") from None
        with _signals_held():
            for target, temp in self._temps.items():
                os.replace(temp, target)
            folders = {os.path.dirname(os.path.abspath(t)) for t in self._temps}
            self._temps.clear()
        for folder in folders:
            _fsync_folder(folder)

    def discard(self) -> None:
        """Remove every temporary file of the run (the destinations are untouched)."""
        for temp in self._temps.values():
            with contextlib.suppress(OSError):
                os.unlink(temp)
        self._temps.clear()


def _fsync_folder(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder; the renames are still atomic
    finally:
        os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Delay SIGTERM and SIGINT while the renames run, so a stop never lands between two of them."""
    held = {signal.SIGTERM, signal.SIGINT}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - platforms without sigmask
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
