#!/usr/bin/env python3
"""Write a synthetic monolith of N modules with a git history, to measure decomposer at scale.

    python benchmarks/synthetic_monolith.py TARGET_DIR [--modules 5000] [--commits 20000]

Apps of 50-150 modules import mostly inside themselves, sometimes a neighbour app and a shared
`core`; a seeded history (one `git fast-import` stream) changes a few modules of one app per
commit, now and then several apps at once. Then run, for instance:

    python benchmarks/bench_stages.py TARGET_DIR --repeat 1
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
from pathlib import Path


def write_code(root: Path, modules: int, rng: random.Random) -> list[str]:
    paths, apps, count = [], [], 0
    while count < modules:
        size = min(rng.randint(50, 150), modules - count)
        apps.append(size)
        count += size
    (root / "big").mkdir(parents=True)
    (root / "big" / "__init__.py").write_text("")
    names = {index: [f"big.app{index:03d}.m{number:03d}" for number in range(size)] for index, size in enumerate(apps)}
    core = [f"big.core.c{number:02d}" for number in range(20)]
    for module in core:
        _write(root, module, [])
    for index, members in names.items():
        for module in members:
            imports = rng.sample(members, k=min(4, len(members)))
            if rng.random() < 0.3:
                imports.append(rng.choice(core))
            if rng.random() < 0.1 and index + 1 in names:
                imports.append(rng.choice(names[index + 1]))
            _write(root, module, [other for other in imports if other != module])
    for path in sorted(root.rglob("*.py")):
        paths.append(path.relative_to(root).as_posix())
    return paths


def _write(root: Path, module: str, imports: list[str]) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    init = path.parent / "__init__.py"
    if not init.exists():
        init.write_text("")
    body = "".join(f"import {other}\n" for other in sorted(set(imports)))
    path.write_text(body + "\n\ndef work(value):\n    return value\n")


def write_history(root: Path, paths: list[str], commits: int, rng: random.Random) -> None:
    by_app: dict[str, list[str]] = {}
    for path in paths:
        by_app.setdefault(path.split("/")[1], []).append(path)
    apps = sorted(by_app)
    stream, clock, versions = [], 1_600_000_000, {}
    for number in range(1, commits + 1):
        clock += rng.randint(600, 7200)
        touched = rng.sample(by_app[rng.choice(apps)], k=min(3, len(by_app[apps[0]])))
        if rng.random() < 0.05:
            touched += rng.sample(paths, k=rng.randint(5, 40))
        changes = []
        for path in sorted(set(touched)):
            versions[path] = versions.get(path, 0) + 1
            data = (root / path).read_text() + f"# revision {versions[path]}\n"
            encoded = data.encode()
            changes.append(f"M 100644 inline {path}\ndata {len(encoded)}\n".encode() + encoded + b"\n")
        author = f"dev{rng.randint(1, 40)}@example.com"
        message = f"change {number}\n".encode()
        header = (f"commit refs/heads/main\nmark :{number}\nauthor Dev <{author}> {clock} +0000\n"
                  f"committer Dev <{author}> {clock} +0000\ndata {len(message)}\n").encode() + message
        if number > 1:
            header += f"from :{number - 1}\n".encode()
        stream.append(header + b"".join(changes) + b"\n")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "-C", str(root), "init", "--quiet", "--initial-branch=main"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], input=b"".join(stream), check=True, env=env)
    subprocess.run(["git", "-C", str(root), "reset", "--quiet", "--hard", "main"], check=True, env=env)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--modules", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.target.exists():
        parser.error(f"{args.target} exists; name a new folder")
    rng = random.Random(args.seed)
    paths = write_code(args.target, args.modules, rng)
    write_history(args.target, paths, args.commits, rng)
    print(f"Wrote {len(paths)} files and {args.commits} commits into {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
