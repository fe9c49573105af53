"""The only module that runs `git`.

Every call goes through `_git`, with `-C <repo>` and a fixed locale-free environment, so the
output parsed here is git's plumbing output, never a translated message.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["read_head"]

_ENV = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


def read_head(repo_dir: Path) -> str | None:
    """Return the commit sha of HEAD, or None outside a git work tree or before a first commit.

    Runs `git rev-parse --verify --quiet HEAD^{commit}`.
    """
    result = _git(repo_dir, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    if result is None or result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _git(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(repo_dir), *args],
            capture_output=True, text=True, env=_ENV, check=False,
        )
    except FileNotFoundError:  # no git on this machine: analyse without history
        return None
