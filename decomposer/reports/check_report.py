"""`decomposer check` output: a table for people, JSON for dashboards."""

from __future__ import annotations

from typing import Any

from decomposer.model import CheckResult

__all__ = ["check_lines", "check_to_dict"]


def check_to_dict(result: CheckResult) -> dict[str, Any]:
    """The check as plain data: every pair and step, then and now."""
    return {
        "grew": result.grew,
        "pairs": [{"from": pair.source, "to": pair.target, "before": pair.before, "after": pair.after,
                   "grew": pair.grew} for pair in result.pairs],
        "steps": [{"order": order, "service": service, "before": before, "after": after}
                  for order, service, before, after in result.steps],
        "new_modules": [{"module": module, "service": service} for module, service in result.new_modules],
    }


def check_lines(result: CheckResult) -> list[str]:
    """The check as lines of text: the verdict first."""
    grown = [pair for pair in result.pairs if pair.grew]
    verdict = (f"FAIL: {len(grown)} service pair{'s' if len(grown) != 1 else ''} gained crossing imports"
               if grown else "OK: no pair of services gained crossing imports")
    lines = [verdict, "Crossing import statements (saved -> now):"]
    for pair in result.pairs:
        mark = "  <- new coupling" if pair.grew else ("  (fewer)" if pair.after < pair.before else "")
        lines.append(f"  {pair.source:>24s} -> {pair.target:<24s} {pair.before:5d} -> {pair.after:<5d}{mark}")
    if result.steps:
        lines.append("Plan steps (crossing statements in and out of the service, saved -> now):")
        lines += [f"  {order:3d}. {service:24s} {before:5d} -> {after}" for order, service, before, after in result.steps]
    if result.new_modules:
        lines.append(f"New modules since the analysis: {len(result.new_modules)} "
                     "(given the service of their nearest package)")
    return lines
