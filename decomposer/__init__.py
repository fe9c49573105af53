"""decomposer: how to break a Python monolith into services, and in what order.

Public API::

    from decomposer import Settings, run
    analysis = run(Settings(repo_path=Path("path/to/repo")))
"""

from __future__ import annotations

__version__ = "0.1.0"

from decomposer.config import Settings, load_settings  # noqa: E402
from decomposer.model import Analysis  # noqa: E402
from decomposer.pipeline import run  # noqa: E402

__all__ = ["Analysis", "Settings", "__version__", "load_settings", "run"]
