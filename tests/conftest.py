"""Shared fixtures: the sample monolith replayed into a real git repo, and small repo builders.

No mocks of git or grimp anywhere: every test that needs a repository builds a real one.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from decomposer.cli import main
from decomposer.config import Settings
from decomposer.model import Analysis
from decomposer.pipeline import analyze

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_monolith"


def _load_replay_module():
    spec = importlib.util.spec_from_file_location("replay_history", SAMPLE_DIR / "replay_history.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["replay_history"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


replay_history = _load_replay_module()


@pytest.fixture(scope="session")
def sample_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample monolith with its scripted history; shared, so never modify it."""
    repo_dir = tmp_path_factory.mktemp("sample") / "shop"
    replay_history.replay(repo_dir)
    return repo_dir


@pytest.fixture(scope="session")
def sample_analysis(sample_repo: Path) -> Analysis:
    """The sample's analysis at the default settings, made once for every test that reads it."""
    return analyze(Settings(repo_path=sample_repo))


def outputs_under_hash_seeds(code: str) -> set[str]:
    """What `python -c code` prints under three PYTHONHASHSEED values (one output: deterministic)."""
    return {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": hash_seed, "PATH": ""}).stdout
        for hash_seed in ("0", "1", "12345")
    }


@pytest.fixture
def sample_copy(tmp_path: Path, sample_repo: Path) -> Path:
    """A private clone of the sample repository that a test may change."""
    copy_dir = tmp_path / "shop-copy"
    git(tmp_path, "clone", "--quiet", str(sample_repo), str(copy_dir))
    return copy_dir


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never touch the user's real cache folder.
    monkeypatch.setenv("DECOMPOSER_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def git(repo_dir: Path, *args: str, date: str = "2025-01-01T12:00:00+00:00",
        author: str = "test@example.com") -> str:
    """Run git with a fixed identity, date and no user configuration; return its stdout."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": author,
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": author,
           "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date, "LC_ALL": "C"}
    result = subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, text=True,
                            env=env, check=True)
    return result.stdout


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create `files` (relative path -> text or bytes) under `root`; return `root`."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """Build a repository from a dict of files; with `commit=True` it is a git repo too."""

    def build(files: dict[str, str | bytes], *, name: str = "repo", commit: bool = False) -> Path:
        repo_dir = write_files(tmp_path / name, files)
        if commit:
            git(repo_dir, "init", "--quiet", "--initial-branch=main")
            git(repo_dir, "add", "-A")
            git(repo_dir, "commit", "--quiet", "-m", "initial")
        return repo_dir

    return build


def commit_files(repo_dir: Path, files: dict[str, str | bytes], message: str, *,
                 date: str = "2025-01-01T12:00:00+00:00", author: str = "test@example.com") -> str:
    """Write `files` into the git repo at `repo_dir` and commit them; return the new sha."""
    write_files(repo_dir, files)
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "--quiet", "--allow-empty", "--allow-empty-message", "-m", message,
        date=date, author=author)
    return git(repo_dir, "rev-parse", "HEAD").strip()


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., Result]:
    """Invoke the real command line in-process; stdout and stderr are kept apart."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)

    return invoke
