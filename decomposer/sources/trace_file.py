"""Trace files (`decomposer trace`): the one module that knows their keys, both ways.

A trace file is one JSON document, `"format": "decomposer-trace/1"`, keys sorted, lists sorted::

    {"format": "decomposer-trace/1", "tool": "decomposer 0.9.0", "python": "3.12.1",
     "tracer": "sys.monitoring", "head": "58bf87e0..." | null, "packages": ["shop"],
     "without_functions": ["shop", "shop.settings"],
     "use_cases": [{"name": "tests/test_refund.py", "modules": ["shop.orders.services", ...]}],
     "calls": [{"caller": "shop.orders.services", "callee": "shop.payments.refunds",
                "calls": 3, "use_cases": {"tests/test_refund.py": 3}}]}

Reading merges several files (the same use case in two files is one use case, its calls added)
and keeps what names the analysed modules: a file that is not a trace is an error naming it; a
trace of another HEAD, calls of modules the analysis does not hold, a trace that recorded no call,
analysed packages no trace recorded, traces of both tracers merged, the same file given twice and
what the recorder noted (the program replaced its hook) are warnings with counts. `notes` is
optional (traces written before it existed have none).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from decomposer.errors import InvalidTrace
from decomposer.model import AnalysisWarning, RuntimeCall, RuntimeTrace, UseCase

__all__ = ["FORMAT", "read_traces", "trace_document"]

FORMAT = "decomposer-trace/1"


def trace_document(calls: dict[tuple[str, str, str], int], ran: dict[str, set[str]], inert: set[str], *,
                   tool: str, python: str, tracer: str, head: str | None, packages: tuple[str, ...],
                   notes: tuple[str, ...] = ()) -> str:
    """The trace file's text for what a `Recorder` recorded: (use case, caller, callee) -> calls,
    use case -> modules that ran, and the modules loaded that define no function."""
    edges: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for (use_case, caller, callee), count in calls.items():
        edges[caller, callee][use_case] = count
    document = {
        "format": FORMAT, "tool": tool, "python": python, "tracer": tracer, "head": head,
        "packages": sorted(packages), "without_functions": sorted(inert), "notes": list(notes),
        "use_cases": [{"name": name, "modules": sorted(modules)} for name, modules in sorted(ran.items())],
        "calls": [{"caller": caller, "callee": callee, "calls": sum(counts.values()),
                   "use_cases": dict(sorted(counts.items()))} for (caller, callee), counts in sorted(edges.items())],
    }
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def read_traces(paths: tuple[Path, ...], modules: frozenset[str], head: str | None,
                excluded: frozenset[str] = frozenset()) -> tuple[RuntimeTrace, tuple[AnalysisWarning, ...]]:
    """Every trace in `paths`, merged and kept to `modules` (the analysed ones). Calls of
    `excluded` modules (tests, migrations the analysis left out) are dropped without a warning.

    Raises:
        InvalidTrace: a file cannot be read or is not a decomposer trace; the message names it.
    """
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ran: dict[str, set[str]] = defaultdict(set)
    heads, inert, warnings, seen, tracers, recorded = set(), set(), [], set(), set(), set()
    for path in paths:
        if path.resolve() in seen:
            warnings.append(AnalysisWarning("", f"trace {path} is given twice: read once"))
            continue
        seen.add(path.resolve())
        document = _load(path)
        if document["head"]:
            heads.add(document["head"])
        tracers.add(f"{document.get('tracer')} (Python {document.get('python')})")
        recorded |= set(document["packages"])
        unknown = _merge(document, modules, excluded, counts, ran)
        inert |= set(document["without_functions"]) & modules
        warnings.extend(_warnings(path, document, head, unknown))
    warnings.extend(_coverage_warnings(modules - excluded, recorded, tracers))
    calls = tuple(RuntimeCall(caller, callee, sum(by_case.values()), tuple(sorted(by_case.items())))
                  for (caller, callee), by_case in sorted(counts.items()))
    executed = sorted(set().union(*ran.values())) if ran else []
    trace = RuntimeTrace(tuple(str(path) for path in paths), tuple(sorted(heads)),
                         tuple(UseCase(name, tuple(sorted(found))) for name, found in sorted(ran.items())),
                         calls, tuple(executed), tuple(sorted(inert)))
    return trace, tuple(warnings)


def _merge(document: dict[str, Any], modules: frozenset[str], excluded: frozenset[str], counts: dict,
           ran: dict) -> tuple[set[str], int]:
    """Add `document` to `counts` and `ran`; return the modules neither analysed nor excluded,
    and the calls left out because they name one."""
    unknown, dropped = set(), 0
    for use_case in document["use_cases"]:
        found = set(use_case["modules"])
        unknown |= found - modules - excluded
        ran[use_case["name"]] |= found & modules
    for call in document["calls"]:
        caller, callee = call["caller"], call["callee"]
        if caller not in modules or callee not in modules:
            strangers = {caller, callee} - modules - excluded
            unknown |= strangers
            dropped += call["calls"] if strangers else 0
            continue
        for name, count in call["use_cases"].items():
            counts[caller, callee][name] += count
    return unknown, dropped


def _warnings(path: Path, document: dict[str, Any], head: str | None,
              unknown: tuple[set[str], int]) -> list[AnalysisWarning]:
    modules, dropped = unknown
    warnings = []
    if head and document["head"] and document["head"] != head:
        warnings.append(AnalysisWarning("", (
            f"trace {path} was recorded at commit {document['head'][:12]}, the analysis is of {head[:12]}: "
            "its calls may be stale; trace again at this commit")))
    if modules:
        names = ", ".join(sorted(modules)[:3]) + (", ..." if len(modules) > 3 else "")
        warnings.append(AnalysisWarning("", (
            f"trace {path} names {len(modules)} modules the analysis does not hold ({names}): "
            f"{dropped} of its calls left out (modules removed or renamed since, or another project's)")))
    if not document["calls"]:
        warnings.append(AnalysisWarning("", (
            f"trace {path} holds no call between modules of {', '.join(document['packages']) or 'no package'}: "
            "check its packages, and that the tests ran in the traced process (not in pytest-xdist workers or "
            "Django's --parallel processes)")))
    warnings.extend(AnalysisWarning("", f"trace {path}: {note}") for note in document.get("notes", ()))
    return warnings


def _coverage_warnings(modules: frozenset[str], recorded: set[str], tracers: set[str]) -> list[AnalysisWarning]:
    """Analysed modules no trace recorded (their packages were not traced), and mixed tracers."""
    warnings = []
    missing = sorted(module for module in modules
                     if not any(module == package or module.startswith(package + ".") for package in recorded))
    if missing:
        packages = sorted({module.split(".")[0] for module in missing})
        warnings.append(AnalysisWarning("", (
            f"{len(missing)} of the {len(modules)} analysed modules lie outside the packages the traces recorded "
            f"({', '.join(sorted(recorded)) or 'none'}): their calls were never recorded ({', '.join(packages[:3])}"
            f"{', ...' if len(packages) > 3 else ''}); trace with --packages naming them")))
    if len(tracers) > 1:
        warnings.append(AnalysisWarning("", (
            f"the traces were recorded by {' and '.join(sorted(tracers))}: the two record the same calls, except "
            "in threads started before tracing, which only sys.monitoring sees (docs/concepts.md)")))
    return warnings


_KEYS = {"format": str, "head": (str, type(None)), "packages": list, "without_functions": list, "use_cases": list,
         "calls": list}
_MAX_COUNT = 10 ** 18  # more calls than any run makes: a count past it is a damaged file


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM an editor added is no damage
    except OSError as error:
        raise InvalidTrace(f"--traces {path}: cannot read it ({error.strerror}); pass a file "
                           "`decomposer trace` wrote") from None
    except (UnicodeDecodeError, ValueError, RecursionError):  # ValueError: JSON, and numbers past int's digits
        raise InvalidTrace(f"--traces {path}: not JSON; pass a file `decomposer trace` wrote") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise InvalidTrace(f"--traces {path}: not a {FORMAT} file (format: {found!r}); "
                           "record one with `decomposer trace` or `pytest -p decomposer.trace`")
    problem = _problem(document)
    if problem:
        raise InvalidTrace(f"--traces {path}: {problem}; record the trace again")
    return document


def _problem(document: dict[str, Any]) -> str | None:
    """What is wrong with a document of the right format, or None."""
    for key, kind in _KEYS.items():
        if not isinstance(document.get(key), kind):
            return f"`{key}` is missing or of the wrong type"
    if not _strings(document.get("notes", [])):
        return "`notes` should be a list of sentences"
    if not _strings(document["without_functions"]) or not _strings(document["packages"]):
        return "`packages` and `without_functions` should be lists of module names"
    for use_case in document["use_cases"]:
        if not (isinstance(use_case, dict) and isinstance(use_case.get("name"), str)
                and _strings(use_case.get("modules"))):
            return "a use case without a name or a list of modules"
    for call in document["calls"]:
        if not (isinstance(call, dict) and isinstance(call.get("caller"), str) and isinstance(call.get("callee"), str)
                and _count(call.get("calls")) and isinstance(call.get("use_cases"), dict)
                and all(isinstance(name, str) and _count(count) for name, count in call["use_cases"].items())):
            return "a call without caller, callee, a count and its use cases"
        if call["caller"] == call["callee"]:
            return f"a call of {call['caller']} to itself (a module's calls within itself are never recorded)"
    return None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_COUNT
