"""How stable a proposal is: the same full detection under far-apart seeds, compared with the proposal.

The runs compared are what a user gets when rerunning with another `--seed`: the whole
consensus (many seeded runs) under `seed + 1000`, `seed + 2000`, ..., so that no run shares
a seed with the proposal's own consensus runs.

Agreement is the adjusted Rand index (Hubert & Arabie, 1985): 1 for identical partitions,
about 0 for chance agreement. A module "moves" in a run when the run's group that holds it
matches (by largest overlap) another proposed service than its own: such borderline modules
deserve a human look.
"""

from __future__ import annotations

from collections import Counter
from math import comb

from decomposer.model import Stability

__all__ = ["adjusted_rand_index", "far_seeds", "measure_stability"]

_SEED_STEP = 1000  # more than any consensus uses, so the seed ranges never overlap


def far_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The seeds of the stability runs: `count` seeds, `_SEED_STEP` apart, after `seed`.

    >>> far_seeds(42, 2)
    (1042, 2042)
    """
    return tuple(seed + _SEED_STEP * step for step in range(1, count + 1))


def adjusted_rand_index(first: dict[str, str], second: dict[str, str]) -> float:
    """The adjusted Rand index of two partitions of the same items (item -> group).

    >>> adjusted_rand_index({"a": "x", "b": "x", "c": "y"}, {"a": "1", "b": "1", "c": "2"})
    1.0
    """
    items = sorted(first)
    pairs = Counter((first[item], second[item]) for item in items)
    index = sum(comb(count, 2) for count in pairs.values())
    rows = sum(comb(count, 2) for count in Counter(first[item] for item in items).values())
    columns = sum(comb(count, 2) for count in Counter(second[item] for item in items).values())
    total = comb(len(items), 2)
    expected = rows * columns / total if total else 0.0
    maximum = (rows + columns) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def measure_stability(reference: dict[str, str], runs: list[tuple[int, dict[str, str]]]) -> Stability:
    """Compare each (seed, partition) run with the `reference` partition."""
    scores = [adjusted_rand_index(reference, partition) for _, partition in runs]
    moved: Counter[str] = Counter()
    for _, partition in runs:
        moved.update(_moved_modules(reference, partition))
    return Stability(
        seeds=tuple(seed for seed, _ in runs),
        mean_ari=round(sum(scores) / len(scores), 4) if scores else 1.0,
        min_ari=round(min(scores), 4) if scores else 1.0,
        moving=tuple(sorted(moved.items(), key=lambda item: (-item[1], item[0]))),
    )


def _moved_modules(reference: dict[str, str], partition: dict[str, str]) -> list[str]:
    overlap = Counter((partition[module], reference[module]) for module in reference)
    match = {}
    for (group, service), count in sorted(overlap.items()):
        best = match.get(group)
        if best is None or count > overlap[group, best]:
            match[group] = service
    return [module for module in reference if match[partition[module]] != reference[module]]
