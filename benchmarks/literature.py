"""decomposer next to the published decomposition methods, on IBM Mono2Micro's four benchmark apps.

Usage:
    python benchmarks/literature.py PACKAGE_DIR [--app acmeair] [--markdown]

PACKAGE_DIR is a checkout of the public replication package of Kalia et al., "Mono2Micro: a
practical and effective tool for decomposing monolithic Java applications to microservices"
(ESEC/FSE 2021): https://github.com/kaliaanup/Mono2Micro-FSE-2021 (`git clone` it; nothing is
fetched here). It holds `experimental_results.xlsx` (the published tables) and, per app
(acmeair, daytrader, jpetstore, plants), `datasets_runtime/<app>/`:

- `mono2micro_output/runtime_call_volume.json`: the class-level call graph recorded while the
  use cases ran (`"Caller--Callee": calls`), the input decomposer is run on;
- `mono2micro_output/bcs_per_class.json`: each class's use cases (business contexts), derived
  from the per-use-case traces `mono2micro_input/flow-*-lab.txt`; BCP needs them;
- the partitions each published method produced: `mono2micro_output/vertical_cluster_assignment_K.json`,
  `fosci_output/<app>_n_candidate_K_repeat_4.csv`, `cogcn_output/vertical_cluster_assignment__K.json`,
  `mem_output/vertical_clustering__K.json`, `bunch_output/<app>_K.json`.

Some copies of the package lack its files over 4 MiB (raw traces: acmeair flow-86-lab.txt,
daytrader flow-179/216-lab.txt, daytrader mono2micro_output/context_traces.json, daytrader
fosci_output/call_traces.csv, daytrader fosci_input/input_file.txt). None of them is read here:
the use cases come from bcs_per_class.json, which the package ships whole; the script lists the
files it looked for and did not find.

For each app, decomposer runs on the call graph (no git history, no ORM data: the package has
neither) with its defaults (its own number of services), then at every number of services the
paper published (`--services K --min-service-size 1`: the published methods keep no minimum
size, and decomposer's default of 3 classes stops it short of the larger K; the K it reaches
is printed, and only rows that reach the K asked are counted as wins or losses); its partition is measured with
`decomposer.stages.literature`, the reimplementation of Mono2Micro's metrics code. Before that,
the script recomputes the published figures from the partitions the package ships, to check that
the metrics are the same (`Recomputed` lines).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from decomposer import pipeline
from decomposer.config import load_settings
from decomposer.stages.literature import literature_figures

APPS = ("acmeair", "daytrader", "jpetstore", "plants")
METHODS = ("Mono2Micro", "FoSCI", "CoGCN", "Bunch", "MEM")
METRICS = ("bcp", "icp", "sm", "ifn", "ned")
BETTER = {"bcp": -1, "icp": -1, "sm": 1, "ifn": -1, "ned": -1}  # 1: higher is better
ROOT = "Root"  # the traces' entry point: not a class, left out as Mono2Micro's code does
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package_dir", type=Path)
    parser.add_argument("--app", choices=APPS, action="append")
    parser.add_argument("--set", dest="overrides", metavar="JSON", type=json.loads, default={},
                        help='[tool.decomposer] keys to try, e.g. \'{"min_service_size": 1}\'')
    args = parser.parse_args(argv)
    published = read_published(args.package_dir / "experimental_results.xlsx")
    for app in args.app or APPS:
        print(app_report(args.package_dir / "datasets_runtime" / app, app, published[app], args.overrides))
    return 0


def app_report(app_dir: Path, app: str, published: dict[str, dict[int, dict[str, float]]],
               overrides: dict[str, object]) -> str:
    calls, use_cases = read_app(app_dir)
    lines = [f"## {app}: {len({node for pair in calls for node in pair})} classes, {len(calls)} call pairs, "
             f"{len({case for cases in use_cases.values() for case in cases})} use cases", ""]
    missing = [name for name in _EXPECTED if not (app_dir / name.format(app=app)).exists()]
    if missing:
        lines += [f"Missing from this copy (not needed here): {', '.join(missing)}", ""]
    lines += recompute_lines(app_dir, app, calls, use_cases, published)
    at_k = {"min_service_size": 1, **overrides}  # the published methods have no minimum size
    ours = {k: run_decomposer(calls, use_cases, k, at_k) for k in sorted({k for rows in published.values() for k in rows})}
    own_k, own = run_decomposer(calls, use_cases, None, overrides)
    lines += ["", "| K asked | method | K | BCP | ICP | SM | IFN | NED |", "|---|---|---|---|---|---|---|---|",
              f"| - | **decomposer, own choice** | {own_k} | " + " | ".join(f"{own[m]:.3f}" for m in METRICS) + " |"]
    for k, (reached, figures) in ours.items():
        lines.append(f"| {k} | **decomposer** | {reached} | " + " | ".join(f"{figures[m]:.3f}" for m in METRICS) + " |")
        for method in METHODS:
            if k in published.get(method, {}):
                row = published[method][k]
                lines.append(f"| {k} | {method} | {k} | " + " | ".join(f"{row[m]:.3f}" for m in METRICS) + " |")
    lines += ["", *win_lines(ours, published), ""]
    return "\n".join(lines)


_EXPECTED = ("mono2micro_output/runtime_call_volume.json", "mono2micro_output/bcs_per_class.json",
             "mono2micro_output/context_traces.json", "fosci_output/call_traces.csv",
             "fosci_input/input_file.txt")


def read_app(app_dir: Path) -> tuple[dict[tuple[str, str], int], dict[str, tuple[str, ...]]]:
    """The call graph (`Root` left out) and each class's use cases."""
    volume = json.loads((app_dir / "mono2micro_output" / "runtime_call_volume.json").read_text())
    calls = {}
    for key, count in volume.items():
        caller, callee = key.split("--")
        if ROOT not in (caller, callee):
            calls[caller, callee] = count
    cases = json.loads((app_dir / "mono2micro_output" / "bcs_per_class.json").read_text())
    return calls, {node: tuple(labels) for node, labels in cases.items() if node != ROOT}


def run_decomposer(calls: dict[tuple[str, str], int], use_cases: dict[str, tuple[str, ...]],
                   services: int | None, overrides: dict[str, object]) -> tuple[int, dict[str, float]]:
    """decomposer's proposal at about `services` groups (None: its own choice), measured as the paper measures."""
    with tempfile.TemporaryDirectory() as folder:
        graph_path = Path(folder) / "graph.json"
        nodes = sorted({node for pair in calls for node in pair} | set(use_cases))
        graph_path.write_text(json.dumps({
            "nodes": [{"id": node, "use_cases": list(use_cases.get(node, ()))} for node in nodes],
            "edges": [{"source": a, "target": b, "weight": count} for (a, b), count in sorted(calls.items())],
        }))
        settings = load_settings(Path(folder), {"services": services, "history": False, **overrides}, use_config=False)
        analysis, _ = pipeline.analyze_graph(settings, graph_path)
    partition = analysis.service_of
    figures = literature_figures(partition, calls, use_cases)
    return figures.groups, {metric: getattr(figures, metric) for metric in METRICS}


def recompute_lines(app_dir: Path, app: str, calls: dict[tuple[str, str], int],
                    use_cases: dict[str, tuple[str, ...]],
                    published: dict[str, dict[int, dict[str, float]]]) -> list[str]:
    """Recompute each published row from the partition the package ships for it, per method."""
    cells = []
    for method, rows in published.items():
        exact = total = 0
        for k, row in rows.items():
            partition = shipped_partition(app_dir, app, method, k)
            if partition is None:
                continue
            figures = literature_figures(partition, calls, use_cases)
            total += len(METRICS)
            exact += sum(abs(getattr(figures, metric) - row[metric]) < 0.0005 for metric in METRICS)
        cells.append(f"{method} {exact}/{total}" if total else f"{method} no partition shipped")
    return ["Recomputed exactly from the shipped partitions (figures): " + ", ".join(cells)]


def shipped_partition(app_dir: Path, app: str, method: str, k: int) -> dict[str, str] | None:
    files = {
        "Mono2Micro": app_dir / "mono2micro_output" / f"vertical_cluster_assignment_{k}.json",
        "FoSCI": app_dir / "fosci_output" / f"{app}_n_candidate_{k}_repeat_4.csv",
        "CoGCN": app_dir / "cogcn_output" / f"vertical_cluster_assignment__{k}.json",
        "MEM": app_dir / "mem_output" / f"vertical_clustering__{k}.json",
        "Bunch": app_dir / "bunch_output" / f"{app}_{k}.json",
    }
    path = files[method]
    if not path.exists():
        return None
    if path.suffix == ".csv":
        pairs = [line.split(",") for line in path.read_text().splitlines() if line.strip()]
        return {name.strip(): group.strip() for name, group in pairs}
    return {name: str(group) for name, group in json.loads(path.read_text()).items()}


def win_lines(ours: dict[int, tuple[int, dict[str, float]]],
              published: dict[str, dict[int, dict[str, float]]]) -> list[str]:
    """Per method and metric: at how many shared K decomposer is better, tied, worse."""
    lines = ["| decomposer vs | " + " | ".join(metric.upper() for metric in METRICS) + " |",
             "|---|" + "---|" * len(METRICS)]
    for method in METHODS:
        # only where decomposer reached the K asked: fewer groups are not comparable figures
        shared = [k for k in published.get(method, {}) if k in ours and ours[k][0] == k]
        if not shared:
            continue
        cells = []
        for metric in METRICS:
            signs = [_sign(ours[k][1][metric], published[method][k][metric], BETTER[metric]) for k in shared]
            cells.append(f"{signs.count(1)}/{signs.count(0)}/{signs.count(-1)}")
        lines.append(f"| {method} ({len(shared)} K) | " + " | ".join(cells) + " |")
    return lines + ["(wins/ties/losses of decomposer at the K where it reached the K asked; ties within 0.0005)"]


def _sign(ours: float, theirs: float, better: int) -> int:
    return 0 if abs(ours - theirs) < 0.0005 else (1 if (ours - theirs) * better > 0 else -1)


def read_published(xlsx_path: Path) -> dict[str, dict[str, dict[int, dict[str, float]]]]:
    """app -> method -> K -> metric -> value, from the left-hand blocks of each app's sheet.

    Read with zipfile and ElementTree (an .xlsx is zipped XML), so no spreadsheet library is
    needed. A block starts with the method's name in column A and `K BCP ICP SM IFN NED Time`
    in B-H; a K written twice (plants, Bunch) keeps its first row.
    """
    with zipfile.ZipFile(xlsx_path) as book:
        strings = [''.join(text.text or '' for text in item.iter(f"{{{_NS['m']}}}t"))
                   for item in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _NS)]
        targets = {rel.get("Id"): rel.get("Target") for rel in ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))}
        sheets = ET.fromstring(book.read("xl/workbook.xml")).find("m:sheets", _NS)
        return {sheet.get("name"): _blocks(ET.fromstring(book.read("xl/" + targets[sheet.get(_REL)])), strings)
                for sheet in sheets if sheet.get("name") in APPS}


def _blocks(sheet: ET.Element, strings: list[str]) -> dict[str, dict[int, dict[str, float]]]:
    blocks: dict[str, dict[int, dict[str, float]]] = {}
    method = None
    for row in sheet.iter(f"{{{_NS['m']}}}row"):
        cells = {}
        for cell in row.findall("m:c", _NS):
            value = cell.find("m:v", _NS)
            text = "" if value is None else value.text or ""
            cells["".join(char for char in cell.get("r") if char.isalpha())] = (
                strings[int(text)] if cell.get("t") == "s" else text)
        if cells.get("B") == "K":
            method = {"FoSCO": "FoSCI"}.get(cells.get("A", ""), cells.get("A", ""))
            blocks.setdefault(method, {})
        elif method and cells.get("B") and cells.get("C"):
            k = int(cells["B"].replace("k=", ""))
            values = [float(cells[column]) for column in "CDEFG"]
            blocks[method].setdefault(k, dict(zip(METRICS, values)))
        elif not cells.get("B"):
            method = None
    return blocks


if __name__ == "__main__":
    sys.exit(main())
