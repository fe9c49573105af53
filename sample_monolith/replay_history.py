#!/usr/bin/env python3
"""Replay the sample monolith's scripted, dated git history into a new repository.

    python sample_monolith/replay_history.py TARGET_DIR

The history is a script, not a recording: a seeded random generator picks, for each of 300
commits, a theme (checkout work, the orders/payments refund flow, shipping rates, ...), the
files it touches, an author of that theme's team and a date. Every file grows towards its
final content in `sample_monolith/shop/` one touch at a time, so the last commit leaves the
work tree exactly equal to the sample code. The same script always writes the same commits
(fixed authors, dates and seed; the commit ids are identical on every machine).

The whole history is written with one `git fast-import` stream, so replaying takes well under
a second. It includes what real histories have: merge commits of feature branches, a rename
(`shop/reporting/csv_export.py` -> `exports.py`), a commit that reformats every file, and
non-Python files. The themes follow the seams documented in README.md beside this file.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent
SEED = 20240603
START = 1717398000  # 2024-06-03 09:00 +02:00
TZ = "+0200"
THEMED_COMMITS = 300
REFORMAT_AT = 150  # themed commit index of the "reformat everything" commit
RENAME_AT = 200  # themed commit index where csv_export.py becomes exports.py
OLD_EXPORTS = "shop/reporting/csv_export.py"
NEW_EXPORTS = "shop/reporting/exports.py"

AUTHORS = {
    "alice": ("Alice Martin", "alice@shop.example"),
    "bilal": ("Bilal Haddad", "bilal@shop.example"),
    "chen": ("Chen Wei", "chen@shop.example"),
    "dana": ("Dana Novak", "dana@shop.example"),
    "emeka": ("Emeka Obi", "emeka@shop.example"),
    "farah": ("Farah Khan", "farah@shop.example"),
}

EXTRA_FILES = {
    "README.md": "# Shop\n\nThe web shop. Run `python manage.py`.\n",
    "manage.py": "import sys\n\nfrom shop.urls import resolve\n\nif __name__ == '__main__':\n"
                 "    print(resolve(sys.argv[1] if len(sys.argv) > 1 else '/products'))\n",
    "pyproject.toml": '[project]\nname = "shop"\nversion = "3.4.0"\nrequires-python = ">=3.11"\n',
}


@dataclass(frozen=True)
class Theme:
    """A kind of work: which files it touches, who does it, how it is described."""

    name: str
    weight: int
    anchors: tuple[str, ...]  # every commit of the theme touches one of these
    others: tuple[str, ...]  # and up to two of these
    authors: tuple[str, ...]
    subjects: tuple[str, ...]
    always: tuple[str, ...] = ()  # and all of these: a seam that always changes together


def _s(*names: str) -> tuple[str, ...]:
    return tuple(f"shop/{name}" for name in names)


THEMES = (
    Theme("checkout", 22, _s("orders/checkout.py"),
          _s("orders/cart.py", "orders/models.py", "orders/views.py", "orders/services.py",
             "orders/signals.py", "orders/history.py", "orders/returns.py", "catalog/inventory.py",
             "shipping/services.py",
             "payments/gateway.py", "orders/tests/test_checkout.py"),
          ("alice", "alice", "farah", "bilal", "chen"),
          ("Checkout: handle {x}", "Fix checkout when {x}", "Checkout: refactor {x}")),
    Theme("refund-flow", 12, _s("payments/models.py", "payments/ledger.py", "payments/webhooks.py"),
          _s("orders/services.py", "orders/returns.py", "payments/invoices.py"),
          ("bilal", "bilal", "alice"),
          ("Refunds: support {x}", "Fix refund of {x}"),
          always=_s("payments/refunds.py")),
    Theme("payments", 10, _s("payments/gateway.py", "payments/fraud.py", "payments/providers/card.py"),
          _s("payments/providers/base.py", "payments/providers/paypal.py", "payments/views.py",
             "payments/models.py", "payments/ledger.py"),
          ("bilal", "farah"),
          ("Payments: add {x}", "Payments: fix {x}")),
    Theme("shipping-rates", 10, _s("shipping/quotes.py", "shipping/services.py", "shipping/zones.py"),
          _s("shipping/carriers.py", "shipping/models.py"),
          ("chen", "chen", "farah"),
          ("Shipping rates: update {x}", "Rates: fix {x}"),
          always=_s("catalog/shipping_rates.py")),
    Theme("shipping", 8, _s("shipping/tracking.py", "shipping/carriers.py", "shipping/views.py"),
          _s("shipping/models.py", "shipping/services.py", "shipping/quotes.py"),
          ("chen",),
          ("Shipping: add {x}", "Tracking: fix {x}")),
    Theme("catalog", 10, _s("catalog/models.py", "catalog/search.py", "catalog/pricing.py"),
          _s("catalog/inventory.py", "catalog/views.py"),
          ("chen", "farah"),
          ("Catalog: add {x}", "Search: improve {x}", "Pricing: fix {x}")),
    Theme("accounts", 8, _s("accounts/auth.py", "accounts/models.py"),
          _s("accounts/permissions.py", "accounts/views.py"),
          ("dana",),
          ("Accounts: add {x}", "Auth: fix {x}")),
    Theme("notifications", 5, _s("notifications/templates.py", "notifications/email.py",
                                 "notifications/preferences.py"),
          _s("notifications/sms.py", "notifications/service.py", "notifications/digest.py"),
          ("dana",),
          ("Notifications: add {x}", "Email: fix {x}")),
    Theme("reporting", 7, _s("reporting/sales.py", "reporting/dashboards.py", "reporting/exports.py"),
          _s("reporting/inventory_report.py", "reporting/views.py"),
          ("emeka",),
          ("Reports: add {x}", "Dashboard: fix {x}")),
    Theme("kernel", 5, _s("core/utils.py", "core/money.py", "core/db.py"),
          _s("core/events.py", "core/errors.py"),
          ("farah", "alice"),
          ("Core: tidy {x}", "Kernel: fix {x}")),
    Theme("config", 4, _s("settings.py", "urls.py"), ("README.md",),
          ("farah", "alice"),
          ("Settings: add {x}", "Routing: add {x}")),
)

TOPICS = ("empty carts", "currency rounding", "guest users", "partial stock", "retries",
          "time zones", "large orders", "EU VAT", "duplicate submits", "slow providers",
          "missing addresses", "discount codes", "unicode names", "timeouts", "edge cases")

# The apps appear one by one before the themed work starts.
BOOTSTRAP = (
    ("farah", "Initial project: settings and the shared kernel",
     ("shop/__init__.py", "shop/settings.py", "shop/core/", "README.md", "manage.py", "pyproject.toml")),
    ("dana", "Add accounts app", ("shop/accounts/",)),
    ("chen", "Add catalog app", ("shop/catalog/",)),
    ("alice", "Add orders app with checkout", ("shop/orders/",)),
    ("bilal", "Add payments app", ("shop/payments/",)),
    ("chen", "Add shipping app", ("shop/shipping/",)),
    ("dana", "Add notifications app", ("shop/notifications/",)),
    ("emeka", "Add reporting app", ("shop/reporting/",)),
    ("alice", "Route every app in urls", ("shop/urls.py",)),
)


@dataclass(frozen=True)
class PlannedCommit:
    author: str
    subject: str
    timestamp: int
    paths: tuple[str, ...]  # final paths (exports.py stands for its whole lineage)
    branch: str | None = None  # feature branch the commit is made on, merged right after
    rename: bool = False


def final_files() -> dict[str, str]:
    """The final content of every file of the replayed repository, by path."""
    files = {path.relative_to(SAMPLE_DIR).as_posix(): path.read_text(encoding="utf-8")
             for path in sorted((SAMPLE_DIR / "shop").rglob("*.py"))
             if "__pycache__" not in path.parts}
    return {**files, **EXTRA_FILES}


def plan_commits(paths: list[str]) -> list[PlannedCommit]:
    """The whole history as a list of commits, oldest first."""
    rng = random.Random(SEED)
    clock = START
    commits = []
    for author, subject, prefixes in BOOTSTRAP:
        clock += 3600 * rng.randint(20, 30)
        touched = tuple(path for path in paths if path.startswith(prefixes))
        commits.append(PlannedCommit(author, subject, clock, touched))
    for index in range(THEMED_COMMITS):
        clock += rng.randint(8, 90) * 1800
        commits.append(_themed_commit(rng, index, clock, paths))
    return commits


def _themed_commit(rng: random.Random, index: int, clock: int, paths: list[str]) -> PlannedCommit:
    if index == REFORMAT_AT:
        return PlannedCommit("farah", "Apply the code formatter to the whole code base", clock,
                             tuple(path for path in paths if path.endswith(".py")))
    if index == RENAME_AT:
        return PlannedCommit("emeka", "Rename reporting.csv_export to reporting.exports", clock,
                             (NEW_EXPORTS,), rename=True)
    theme = rng.choices(THEMES, weights=[theme.weight for theme in THEMES])[0]
    touched = [*theme.always, rng.choice(theme.anchors)]
    touched += rng.sample(theme.others, k=min(len(theme.others), rng.randint(0, 2)))
    subject = rng.choice(theme.subjects).format(x=rng.choice(TOPICS))
    branch = f"feature/{theme.name}-{index // 20}" if index % 20 in (5, 6, 7) else None
    return PlannedCommit(rng.choice(theme.authors), subject, clock,
                         tuple(dict.fromkeys(touched)), branch)


def reveal(content: str, touch: int, touches: int, subject: str) -> str:
    """The file as it stands after its `touch`-th change of `touches`.

    Each change reveals more of the final lines and leaves a note of the work in progress;
    the last change writes the final content exactly.
    """
    if touch == touches:
        return content
    lines = content.splitlines(keepends=True)
    shown = max(1, round(len(lines) * touch / touches))
    return "".join(lines[:shown]) + f"# in progress: {subject}\n"


def fast_import_stream(commits: list[PlannedCommit], files: dict[str, str]) -> bytes:
    """The `git fast-import` input that writes `commits` onto refs/heads/main."""
    touches = {path: sum(path in commit.paths for commit in commits) for path in files}
    seen = dict.fromkeys(files, 0)
    out: list[bytes] = []
    mark = 0
    main_mark = None
    branch_tip = None  # (branch, mark, paths changed on it) of an unmerged feature branch
    state: dict[str, str] = {}
    for commit in commits:
        if branch_tip and branch_tip[0] != commit.branch:
            mark += 1
            out.append(_merge(mark, main_mark, branch_tip, state, commit.timestamp - 600))
            main_mark = mark
            branch_tip = None
        changes = []
        for path in commit.paths:
            seen[path] += 1
            old = _path_at(path, commits, commit)
            state[old] = reveal(files[path], seen[path], touches[path], commit.subject)
            changes.append(_modify(old, state[old]))
            if commit.rename:
                changes.insert(0, f"D {OLD_EXPORTS}\n".encode())
                state[NEW_EXPORTS] = state.pop(OLD_EXPORTS)
                changes[-1] = _modify(NEW_EXPORTS, state[NEW_EXPORTS])
        mark += 1
        ref = f"refs/heads/{commit.branch}" if commit.branch else "refs/heads/main"
        parent = branch_tip[1] if branch_tip else main_mark
        out.append(_commit(ref, mark, commit.author, commit.timestamp, commit.subject, parent, changes))
        if commit.branch:
            changed = (branch_tip[2] if branch_tip else ()) + commit.paths
            branch_tip = (commit.branch, mark, changed)
        else:
            main_mark = mark
    return b"".join(out)


def _path_at(path: str, commits: list[PlannedCommit], commit: PlannedCommit) -> str:
    # Before the rename commit, exports.py still lives under its old name.
    if path != NEW_EXPORTS or commit.rename:
        return OLD_EXPORTS if path == NEW_EXPORTS and commit.rename else path
    renamed = any(c.rename for c in commits[: commits.index(commit)])
    return NEW_EXPORTS if renamed else OLD_EXPORTS


def _modify(path: str, content: str) -> bytes:
    data = content.encode("utf-8")
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _commit(ref: str, mark: int, author: str, timestamp: int, subject: str,
            parent: int | None, changes: list[bytes], merge: int | None = None) -> bytes:
    name, email = AUTHORS[author]
    message = f"{subject}\n".encode()
    head = [f"commit {ref}", f"mark :{mark}", f"author {name} <{email}> {timestamp} {TZ}",
            f"committer {name} <{email}> {timestamp} {TZ}", f"data {len(message)}"]
    text = "\n".join(head).encode() + b"\n" + message
    if parent is not None:
        text += f"from :{parent}\n".encode()
    if merge is not None:
        text += f"merge :{merge}\n".encode()
    return text + b"".join(changes) + b"\n"


def _merge(mark: int, main_mark: int | None, branch_tip: tuple, state: dict[str, str],
           timestamp: int) -> bytes:
    branch, tip, changed = branch_tip
    paths = sorted({_current_name(path, state) for path in changed})
    changes = [_modify(path, state[path]) for path in paths]
    return _commit("refs/heads/main", mark, "alice", timestamp, f"Merge branch '{branch}'",
                   main_mark, changes, merge=tip)


def _current_name(path: str, state: dict[str, str]) -> str:
    return OLD_EXPORTS if path == NEW_EXPORTS and NEW_EXPORTS not in state else path


def replay(target_dir: Path) -> None:
    """Create a git repository at `target_dir` holding the sample's whole history."""
    if target_dir.exists() and any(target_dir.iterdir()):
        raise SystemExit(f"error: {target_dir} exists and is not empty; name a new folder")
    target_dir.mkdir(parents=True, exist_ok=True)
    files = final_files()
    commits = plan_commits(sorted(files))
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C"}
    git = ["git", "-C", str(target_dir)]
    subprocess.run([*git, "init", "--quiet", "--initial-branch=main"], check=True, env=env)
    subprocess.run([*git, "fast-import", "--quiet"], input=fast_import_stream(commits, files),
                   check=True, env=env)
    subprocess.run([*git, "reset", "--quiet", "--hard", "main"], check=True, env=env)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: replay_history.py TARGET_DIR", file=sys.stderr)
        return 2
    target_dir = Path(argv[0])
    replay(target_dir)
    print(f"Replayed the sample history into {target_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
