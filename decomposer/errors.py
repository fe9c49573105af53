"""Errors written for the user: what failed, where, and what to do next.

`cli.py` turns every `DecomposerError` into a one-line message and exit code 1.
Anything else that escapes is a bug and shows its traceback under `--debug`.
"""

from __future__ import annotations

__all__ = [
    "DecomposerError",
    "GitFailed",
    "InvalidConfig",
    "InvalidGraph",
    "InvalidPath",
    "InvalidTrace",
    "CannotWrite",
    "MalformedGitLog",
    "OutputInsideRepository",
    "PackageNotFound",
    "ScanFailed",
]


class DecomposerError(Exception):
    """A problem with the user's input that they can fix; the message says how."""


class InvalidPath(DecomposerError):
    """The path to analyse is missing, or is not a directory."""


class PackageNotFound(DecomposerError):
    """No Python package to analyse was found, or a named one does not exist."""


class InvalidConfig(DecomposerError):
    """`[tool.decomposer]` in the analysed repo's pyproject.toml is unreadable or invalid."""


class InvalidGraph(DecomposerError):
    """A dependency graph or reference file (`analyze --graph`, `--reference`) cannot be read."""


class OutputInsideRepository(DecomposerError):
    """decomposer was asked to write inside the repository it analyses."""


class CannotWrite(DecomposerError):
    """An output or cache folder cannot be written (a file in the way, no permission, a full disk)."""


class GitFailed(DecomposerError):
    """git failed in a way decomposer cannot work around."""


class MalformedGitLog(GitFailed):
    """A record of git's log output is not in the format decomposer asked for."""


class ScanFailed(DecomposerError):
    """grimp could not scan the packages, even after leaving out the files it stopped at."""


class InvalidTrace(DecomposerError):
    """A trace file (`analyze --traces`) cannot be read, or `decomposer trace` cannot record one."""
