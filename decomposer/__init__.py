"""decomposer: how to break a Python monolith into services, and in what order.

Public API::

    from decomposer import Settings, run
    analysis = run(Settings(repo_path=Path("path/to/repo")))
"""

from __future__ import annotations

from decomposer._version import __version__
from decomposer.config import Settings, load_settings
from decomposer.model import Analysis
from decomposer.pipeline import run

__all__ = ["Analysis", "Settings", "__version__", "load_settings", "run"]
