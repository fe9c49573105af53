"""One run of `decomposer analyze`: the only place where the stages meet.

Principles: sources read the outside world and return plain records; stages are pure
functions of those records; reports only format an `Analysis`. Data flows in numbered steps:

1. check the path and discover the layout: which packages, under which source root;
2. scan the code with grimp: modules on disk and every import statement between them;
3. leave out excluded modules (tests, migrations, user patterns) and their imports, and
   read each module's code for what it is: tests and migrations found there are left out
   too, developer tooling (lint plugins, scripts, settings) is kept apart from the services;
4. build the import graph and one record per module (fan-in/out, package in the layout); read
   the ORM models (Django, SQLAlchemy) with `ast`: tables, relations, queries, transactions;
5. ask git for HEAD; mine the non-merge commits of the window that touch the analysed
   packages' Python files (only those the history cache does not hold: sources.incremental);
6. follow renames to HEAD's paths, then count churn per module and change coupling per pair;
7. read the trace files (`--traces`: calls recorded while the team's tests ran, sources/
   trace_file.py), find the shared kernel, build the coupling graph (imports + co-change + data
   links + runtime calls) without it, and detect communities under many seeds; their consensus
   is the proposed services, named after their domain, with each module's confidence; give
   each table an owning service and mark the data links that cross the boundaries;
8. measure the proposal, the current package layout and a random partition of the same sizes
   with the same figures, and rerun the whole detection under far-apart seeds to measure
   how stable it is;
9. score every module's brittleness from its coupling, cycles and churn, with its reasons;
10. plan the extraction: kernel first, then the service with the fewest calls back into the
    monolith, cycles cut before their services leave, packed into sprints.

`analyze_graph` runs the same steps 4-10 on a dependency graph read from a file (any language:
jdeps, dependency-cruiser, an edge list) instead of steps 1-3, with history when its nodes
name files of a git repository, and measures the partitions as the literature does.

Every other command starts from a saved analysis.json, read back into the same typed
`Analysis` (`load_analysis`): `replan` redoes step 10 with other settings, `reassign` takes
the services from an assignment file (docs/assignments.md) and redoes steps 7 (as assigned),
8 and 10 (`analyze` with `Settings.assignment` does the same in place of the detection), `check` redoes
steps 2-3 and compares the imports that cross the saved boundaries, and the gates are a
report of the loaded analysis. `tracing` is the recording side: it runs the team's own code
(`decomposer trace`, the pytest plugin) and writes a trace file outside the repository. Apart
from that, nothing here writes a file: reports.writer does, and it refuses any folder inside
the analysed repository.
"""

from decomposer.pipeline.analysis import analyze, plan_inputs, python_pathspecs, replan, repository_dir, run
from decomposer.pipeline.cached import results_memo
from decomposer.pipeline.graph import analyze_graph
from decomposer.pipeline.saved import assignment_figures, check, load_analysis, load_assignment, reassign

__all__ = ["analyze", "analyze_graph", "assignment_figures", "check", "load_analysis", "load_assignment",
           "plan_inputs", "python_pathspecs", "reassign", "replan", "repository_dir", "results_memo", "run"]
