"""Detected groups -> named `Service` records, and the baseline partitions they are compared with.

A service is named after its dominant package (the layout package most of its lines come
from; ties go to more modules, then the name), or after the vertical domain holding a
quarter of its lines, by that package's last name part: `shop.orders` -> `orders`. When two
services would share a name, the service holding most of that package keeps the plain name; the others are named after
their dominant sub-package one level deeper (`admin.views`, `admin.forms`), up to three levels,
or, where there is none, after their next most common package; a name still shared is qualified
by its parent (`layers.http`, `models.order`) or replaced by the free name of a package the
service largely holds (`platform`); only then does it get `-2`, `-3`, ... by decreasing size.
The shared kernel is always `shared`.
"""

from __future__ import annotations

import random
from collections import Counter

from decomposer.model import KERNEL, NOT_SERVICES, SERVICE, TOOLING, Service
from decomposer.stages.layers import TECHNICAL_NAMES

__all__ = ["name_services", "random_partition", "services_from_partition"]

_DOMAIN_SHARE = 0.25
_SUBJECT_SHARE = 1 / 3
_FREE_NAME_SHARE = 0.4


def name_services(
    groups: tuple[frozenset[str], ...],
    kernel: frozenset[str],
    package_of: dict[str, str],
    loc: dict[str, int],
    tooling: frozenset[str] = frozenset(),
    domain_of: dict[str, str] | None = None,
    split: frozenset[str] = frozenset(),
    subject_of: dict[str, str] | None = None,
) -> tuple[Service, ...]:
    """Return one `Service` per group, plus the shared kernel and the tooling when not empty.

    `domain_of` names the domain of each vertical slice (stages/layers.py): such modules count
    for their domain, not their layer's package, when the service is named; the lines of the
    `split` modules (multi-domain: stages/splits.py) do not count for naming. A service no
    domain names, whose modules sit largely in layer packages, is named after what most of those
    are about (`subject_of`: `workflow` for `api.urls.workflow_job`, `models.workflow`, ...).

    Services come by number of modules (largest first), then name; the kernel, then the
    tooling come last.
    """
    ordered = sorted(groups, key=lambda group: (-len(group), min(group)))
    naming_loc = {module: 0 if module in split else lines for module, lines in loc.items()}
    naming = _naming(ordered, package_of, domain_of or {}, naming_loc)
    naming |= _by_subject(ordered, naming, package_of, subject_of or {})
    names = _unique_names(ordered, naming, naming_loc)
    services = [_service(name, SERVICE, group, package_of, loc) for name, group in zip(names, ordered)]
    if kernel:
        services.append(_service(KERNEL, KERNEL, kernel, package_of, loc))
    if tooling:
        services.append(_service(TOOLING, TOOLING, tooling, package_of, loc))
    return tuple(services)


def _naming(groups: list[frozenset[str]], package_of: dict[str, str], domain_of: dict[str, str],
            loc: dict[str, int]) -> dict[str, str]:
    """The package each module counts for when naming: a service whose largest vertical domain
    holds at least `_DOMAIN_SHARE` of its lines is named after that domain (`inventory`, not
    `main.tasks`), whatever layers its modules sit in."""
    naming = dict(package_of)
    for group in groups:
        lines: Counter[str] = Counter()
        for module in group:
            if module in domain_of:
                lines[domain_of[module]] += loc.get(module, 0)
        if lines:
            domain = min(lines, key=lambda name: (-lines[name], name))
            if lines[domain] >= _DOMAIN_SHARE * sum(loc.get(module, 0) for module in group):
                naming |= {module: domain for module in group}
    return naming
def services_from_partition(service_of: dict[str, str], package_of: dict[str, str],
                            loc: dict[str, int]) -> tuple[Service, ...]:
    """One `Service` per name in `service_of` (module -> service, KERNEL for the kernel), named as given.

    Services come in `name_services`'s order: by number of modules (largest first), then first
    module; the kernel comes last. So the proposal given back as an assignment is the proposal.
    """
    groups: dict[str, set[str]] = {}
    for module, name in service_of.items():
        groups.setdefault(name, set()).add(module)
    ordered = sorted((name for name in groups if name != KERNEL), key=lambda name: (-len(groups[name]), min(groups[name])))
    services = [_service(name, SERVICE, frozenset(groups[name]), package_of, loc) for name in ordered]
    if KERNEL in groups:
        services.append(_service(KERNEL, KERNEL, frozenset(groups[KERNEL]), package_of, loc))
    return tuple(services)


def random_partition(sizes: list[int], modules: list[str], seed: int) -> dict[str, str]:
    """Modules shuffled (seeded) into groups of the given sizes: the no-skill baseline."""
    shuffled = sorted(modules)
    random.Random(seed).shuffle(shuffled)
    partition, start = {}, 0
    for index, size in enumerate(sizes):
        for module in shuffled[start:start + size]:
            partition[module] = f"random-{index}"
        start += size
    return partition


def _by_subject(groups: list[frozenset[str]], naming: dict[str, str], package_of: dict[str, str],
                subject_of: dict[str, str]) -> dict[str, str]:
    """Groups not named by a domain: at least `_SUBJECT_SHARE` of their modules in layer
    packages, and at least `_SUBJECT_SHARE` of those (two or more) about one subject."""
    named: dict[str, str] = {}
    for group in groups:
        if any(naming[module] != package_of[module] for module in group):
            continue  # named after a domain already
        about = Counter(subject_of[module] for module in group if module in subject_of)
        if sum(about.values()) < _SUBJECT_SHARE * len(group) or not about:
            continue
        subject = min(about, key=lambda name: (-about[name], name))
        if about[subject] >= max(2, _SUBJECT_SHARE * sum(about.values())):
            named |= {module: subject for module in group}
    return named


def _unique_names(groups: list[frozenset[str]], package_of: dict[str, str], loc: dict[str, int]) -> list[str]:
    parents = {module.rsplit(".", 1)[0] for module in package_of if "." in module}
    packages = [_dominant(group, package_of, loc) for group in groups]
    names = [_short(package) for package in packages]
    keepers: set[int] = set()
    for _ in range(3):  # name clashing services after ever deeper sub-packages
        keepers |= _keepers(groups, names, packages)
        clashing = {name for name, count in Counter(names).items() if count > 1}
        if not clashing:
            break
        for index, group in enumerate(groups):
            if names[index] in clashing and index not in keepers:
                inside = frozenset(m for m in group if m == packages[index] or m.startswith(packages[index] + "."))
                # A domain name (stages/layers.py) is no module prefix: nothing lies inside it.
                deeper = (_dominant(inside, {m: _one_deeper(m, packages[index], parents) for m in inside}, loc)
                          if inside else packages[index])
                if deeper != packages[index]:
                    packages[index] = deeper
                    names[index] = _short(deeper, parts=len(names[index].split(".")) + 1)
                else:
                    names[index] = _second_name(group, package_of, packages[index], names, loc)
    names = _free_names(groups, names, keepers, loc)
    seen: Counter[str] = Counter()
    unique = list(names)
    for index in sorted(range(len(names)), key=lambda index: (index not in keepers, index)):
        name = f"{names[index]}-service" if names[index] in NOT_SERVICES else names[index]
        seen[name] += 1
        unique[index] = name if seen[name] == 1 else f"{name}-{seen[name]}"
    return unique


def _free_names(groups: list[frozenset[str]], names: list[str], keepers: set[int], loc: dict[str, int]) -> list[str]:
    """Names still shared: each service that did not keep one looks among the packages and
    modules holding at least `_FREE_NAME_SHARE` of its modules or lines. First the shared name
    qualified by its parent (`layers.http`, `models.order`), then, by lines held (the more
    specific first on a tie), a last name part or the last two below the top package that is
    free (the last two first where the last is a technical word: `api.views`). Only where there
    is none does a `-2` suffix follow."""
    taken = set(names)
    result = list(names)
    for index, group in enumerate(groups):
        if index in keepers or Counter(result)[result[index]] < 2:
            continue
        modules: Counter[str] = Counter()
        lines: Counter[str] = Counter()
        for module in group:
            parts = module.split(".")
            for depth in range(2, len(parts) + 1):
                modules[".".join(parts[:depth])] += 1
                lines[".".join(parts[:depth])] += loc.get(module, 0)
        total = sum(loc.get(module, 0) for module in group)
        held = sorted((name for name in modules if modules[name] >= _FREE_NAME_SHARE * len(group)
                       or (total and lines[name] >= _FREE_NAME_SHARE * total)),
                      key=lambda name: (-lines[name], -modules[name], -name.count("."), name))
        shared = result[index]
        qualified = [".".join(name.split(".")[-2:]) for name in held
                     if name.count(".") >= 2 and name.rsplit(".", 1)[1] == shared]
        plain = [short for name in held for short in _short_names(name)]
        free = [name for name in qualified + plain if name and name not in taken]
        if free:
            result[index] = free[0]
            taken.add(free[0])
    return result


def _short_names(name: str) -> tuple[str, ...]:
    """A package's or module's names to try: its last part, then its last two below the top
    package; the two first where the last is a technical word (`api.views`, not `views`)."""
    parts = name.split(".")
    two = (".".join(parts[-2:]),) if len(parts) > 2 else ()
    return two + (parts[-1],) if parts[-1] in TECHNICAL_NAMES else (parts[-1],) + two


def _keepers(groups: list[frozenset[str]], names: list[str], packages: list[str]) -> set[int]:
    """Of services sharing a name, the one with most modules of the named package keeps it."""
    keepers = set()
    for name in {name for name, count in Counter(names).items() if count > 1}:
        clashing = [index for index, other in enumerate(names) if other == name]
        keepers.add(max(clashing, key=lambda index: (
            sum(1 for m in groups[index] if m == packages[index] or m.startswith(packages[index] + ".")),
            -index)))
    return keepers


def _second_name(group: frozenset[str], package_of: dict[str, str], package: str, names: list[str],
                 loc: dict[str, int]) -> str:
    """The short name of the group's next most common package, when it is nearly as common
    (three quarters as many modules) and its name is free."""
    others = frozenset(m for m in group if package_of[m] != package)
    if not others:
        return _short(package)
    second = _dominant(others, package_of, loc)
    counts = Counter(package_of[m] for m in group)
    name = _short(second)
    return name if name not in names and counts[second] >= 0.75 * counts[package] else _short(package)


def _dominant(group: frozenset[str], package_of: dict[str, str], loc: dict[str, int]) -> str:
    modules: Counter[str] = Counter(package_of[module] for module in group)
    lines: Counter[str] = Counter()
    for module in group:
        lines[package_of[module]] += loc.get(module, 0)
    return min(modules, key=lambda package: (-lines[package], -modules[package], package))


def _one_deeper(module: str, package: str, parents: set[str]) -> str:
    """The module's sub-package one level below `package`; `package` for its direct modules."""
    rest = module[len(package) + 1:].split(".") if module.startswith(package + ".") else []
    if not rest or (len(rest) == 1 and module not in parents):
        return package
    return f"{package}.{rest[0]}"


def _short(package: str, parts: int = 1) -> str:
    return ".".join(package.split(".")[-parts:])


def _service(name: str, kind: str, group: frozenset[str], package_of: dict[str, str],
             loc: dict[str, int]) -> Service:
    packages = Counter(package_of[module] for module in group)
    return Service(
        name=name,
        kind=kind,
        modules=tuple(sorted(group)),
        loc=sum(loc.get(module, 0) for module in group),
        packages=tuple(sorted(packages.items(), key=lambda item: (-item[1], item[0]))),
    )
