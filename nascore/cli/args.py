"""Command-line values, checked when the arguments are parsed (before any work starts).

Every sub-command builds its options from these types, so a bad value is refused with
one line that names the option, the value (shortened, :mod:`nascore.messages`) and what
is allowed, with exit status 2 and no traceback (:class:`Parser`).
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
from pathlib import Path

from ..messages import clip, short

#: Seeds are drawn from this range: every random generator the package uses accepts it.
SEED_MAX = 2**32 - 1
#: Paths are shown longer than other values: the whole path is what the user needs.
PATH_LIMIT = 240


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line: ``prog: error: message (see prog --help)``.

    Long values in argparse's own messages (an unknown choice, an unrecognised
    argument) are shortened. Sub-command parsers are of this class too.
    """

    def error(self, message):
        sys.stderr.write(f"{self.prog}: error: {clip(message)} (see '{self.prog} --help')\n")
        sys.exit(2)


_INTEGER = re.compile(r"-?[0-9]{1,30}", re.ASCII)


def _integer(text: str, low: int, high: int | None, what: str) -> int:
    """``int(text)`` for ASCII digits within ``low .. high``, else an error saying ``what``."""
    if _INTEGER.fullmatch(text) is None or not low <= int(text) <= (math.inf if high is None else high):
        raise argparse.ArgumentTypeError(f"expected {what}, got {short(text)}")
    return int(text)


def seed(text: str) -> int:
    """An integer seed in ``0 .. 2**32 - 1``."""
    return _integer(text, 0, SEED_MAX, f"a seed, an integer in 0..{SEED_MAX}")


def positive(text: str) -> int:
    """An integer >= 1."""
    return _integer(text, 1, None, "a positive integer")


def finite_positive(text: str) -> float:
    """A finite number > 0 (``inf``, ``nan`` and overflowing literals are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a finite positive number, got {short(text)}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a finite positive number, got {short(text)}")
    return value


def folder(text: str) -> Path:
    """A folder to write into: an existing writable folder, or one that can be created
    (no file in the way, the nearest existing parent writable)."""
    path = Path(text)
    shown = short(text, PATH_LIMIT)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{shown} is a file; expected a folder (existing or new)")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"cannot create folder {shown}: {short(str(existing), PATH_LIMIT)} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"folder {short(str(existing), PATH_LIMIT)} is not writable "
                                         f"(needed for {shown})")
    return path


_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://[!-~]{1,300}", re.ASCII)


def address(text: str) -> str:
    """A scheduler address ``scheme://where`` (e.g. ``tcp://10.0.0.5:8786``), printable ASCII;
    whether it answers is found out when connecting."""
    if _ADDRESS.fullmatch(text) is None:
        raise argparse.ArgumentTypeError(f"expected an address like tcp://host:8786, got {short(text)}")
    return text


def distinct_seeds(seeds: list[int], option: str = "--seeds") -> list[int]:
    """``seeds`` if no seed repeats; a repeated seed would count one run twice."""
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    if repeated:
        raise ValueError(f"{option}: seed(s) {', '.join(map(str, repeated))} given more than once; "
                         "give distinct seeds (a repeated seed repeats the same run)")
    return seeds
