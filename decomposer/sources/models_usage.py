"""Which modules use which models (`query` links), and atomic blocks that span apps (`transaction`).

A module uses a model where it writes (the name followed through imports):
- `Model.objects` or another manager declared on the model or its bases (`Model._default_manager`
  too), `get_user_model().objects`, or a classmethod/staticmethod of the model or its bases
  (`Query.get_by_id(...)`: a model's own query helper); the link's `field` is that attribute;
- a lookup of a query on such a manager: keyword names of `filter`/`exclude`/`get`/
  `get_or_create`/`update_or_create` and `Q(...)`, strings of `select_related`/
  `prefetch_related`/`values`/`values_list`/`order_by`/`only`/`defer`/`distinct`, the first
  string of `F`/`Count`/`Sum`/`Avg`/`Min`/`Max`/`Prefetch`/`FilteredRelation` in any argument:
  each `__` hop follows a relation field, a reverse relation (`related_name`, else the model's
  lower-cased name) or a parent link to the next model; the `field` is the path so far. A
  relation that ends a path counts only where the query loads it (`select_related`,
  `prefetch_related`, `Prefetch`, `FilteredRelation`): `filter(project=p)` and
  `values("project")` compare or read a key of the queried table, not Project's rows;
- `Model(...)` (a new row: `init`), `apps.get_model("app", "Model")` / `get_model("app.Model")`;
- SQLAlchemy: `Model.query`, and a mapped class (or `Model.column`) passed to `query`, `select`,
  `join`, `outerjoin`, `get`, `insert`, `update`, `delete` or `with_entities`.
A transaction is `with transaction.atomic():`, a function decorated `@transaction.atomic`
(any name ending in `.atomic`, or `atomic`), or `with <...>session.begin():` /
`begin_nested()`; it is reported when the uses inside it reach models of two or more apps.

A module's links depend on its own syntax tree and on the answers to a few questions about the
others (how a name resolves, which model a class is, its managers, lookups and app): each
question and its answer are noted (`module_usage`), so that the results cache can reuse the
links of an unchanged module after a commit when every question is answered the same
(`Finder.answer`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from decomposer.sources.models_ast import Log, Namespace, OrmModels, ParsedModule, call_name, literal
from decomposer.model import DataLink

__all__ = ["Finder", "module_usage", "usage_links"]

_KEYWORD_LOOKUPS = frozenset({"filter", "exclude", "get", "get_or_create", "update_or_create"})
_STRING_LOOKUPS = frozenset({"select_related", "prefetch_related", "values", "values_list", "order_by",
                             "only", "defer", "distinct"})
_EXPRESSIONS = frozenset({"F", "Count", "Sum", "Avg", "Min", "Max", "Prefetch", "FilteredRelation"})
_LOADING = frozenset({"select_related", "prefetch_related", "Prefetch", "FilteredRelation"})
_SQLALCHEMY_CALLS = frozenset({"query", "select", "join", "outerjoin", "get", "insert", "update",
                               "delete", "with_entities"})


def usage_links(parsed: tuple[ParsedModule, ...], namespace: Namespace, orms: tuple[OrmModels, ...],
                user_model: str) -> tuple[DataLink, ...]:
    """Every place a module uses a model, and every atomic block that reaches two or more apps.

    Args:
        parsed: the analysed modules.
        namespace: resolves names across them.
        orms: what each ORM scan found (classes, lookups, managers, tables).
        user_model: the identity of AUTH_USER_MODEL, for `get_user_model()`.

    Returns:
        query and transaction links, unsorted and possibly repeated.
    """
    finder = Finder(namespace, orms, user_model)
    return tuple(link for module in parsed for link in module_usage(module, finder)[0])


def module_usage(module: ParsedModule, finder: Finder) -> tuple[tuple[DataLink, ...], Log]:
    """One module's query and transaction links (unsorted, possibly repeated), with every question
    asked of the namespace and of the ORM scans' findings on the way and its answer."""
    links: list[DataLink] = []
    with finder.namespace.recording(Log()) as log:
        finder.log = log
        try:
            for target, line, field in finder.uses(module.module, module.tree, module.nodes):
                links.append(DataLink("query", module.module, target, module.module, module.path, line, field))
            for line, function, body in _atomic_blocks(module.module, module.tree, finder.namespace, ""):
                touched = sorted({target for node in body for target, _, _ in finder.uses(module.module, node)})
                if len({finder.app_of(target) for target in touched}) >= 2:
                    links.extend(DataLink("transaction", module.module, target, module.module, module.path,
                                          line, function) for target in touched)
        finally:
            finder.log = None
    return tuple(links), log


class Finder:
    """Finds model uses in a syntax tree, with the models' identities, lookups and managers."""

    def __init__(self, namespace: Namespace, orms: tuple[OrmModels, ...], user_model: str) -> None:
        self.namespace, self.user_model = namespace, user_model
        self.classes = {key: identity for orm in orms for key, identity in orm.classes.items()}
        self.lookups = {model: names for orm in orms for model, names in orm.lookups.items()}
        self.managers = {model: names for orm in orms for model, names in orm.managers.items()}
        tables = [table for orm in orms for table in orm.tables]
        self.apps = {table.model: table.app for table in tables}
        self.sqlalchemy = {table.model for table in tables if table.orm == "sqlalchemy"}
        self.labels = {(table.app, table.model.rpartition(".")[2].lower()): table.model
                       for table in tables if table.orm == "django"}
        self.log: Log | None = None

    def answer(self, question: tuple) -> object:
        """The answer to a question `module_usage` noted, from these findings and namespace."""
        kind = question[0]
        if kind in ("q", "analysed", "module"):
            return self.namespace.answer(question)
        if kind == "class":
            return self.classes.get(question[1])
        if kind == "manager":
            return question[2] in self.managers.get(question[1], ("objects",))
        if kind == "lookup":
            return self.lookups.get(question[1], {}).get(question[2])
        if kind == "label":
            return self.labels.get((question[1], question[2]))
        if kind == "sqlalchemy":
            return question[1] in self.sqlalchemy
        if kind == "app":
            return self.apps.get(question[1])
        return self.user_model  # "user"

    def _asked(self, *question) -> object:
        found = self.answer(question)
        if self.log is not None:
            self.log[question] = found
        return found

    def app_of(self, model: str) -> str:
        """The model's app; an external Django model's is the label it is named by ("auth")."""
        return self._asked("app", model) or model.partition(".")[0]

    def uses(self, module: str, tree: ast.AST, nodes: tuple[ast.AST, ...] = ()) -> Iterator[tuple[str, int, str]]:
        """(model, line, how) for every use of a model in `tree` (`nodes`: its walk, when known)."""
        for node in nodes or ast.walk(tree):
            if isinstance(node, ast.Attribute):
                model = self._manager_root(module, node)
                if model:
                    yield model, node.lineno, node.attr
            elif isinstance(node, ast.Call):
                yield from self._call_uses(module, node)

    def _call_uses(self, module: str, call: ast.Call) -> Iterator[tuple[str, int, str]]:
        model = self._model(module, call.func)
        if model:
            yield model, call.lineno, "init"
        name = call_name(call)
        if name == "get_model":
            model = self._get_model(call)
            if model:
                yield model, call.lineno, "get_model"
        if name in _SQLALCHEMY_CALLS:
            for argument in call.args:
                model = self._model(module, argument)
                if model is None and isinstance(argument, ast.Attribute):  # `Model.column`
                    model = self._model(module, argument.value)
                if self._asked("sqlalchemy", model):
                    yield model, call.lineno, name
        if isinstance(call.func, ast.Attribute):
            root = self._chain_root(module, call.func.value)
            if root:
                for path, line, loads_last in _lookup_paths(call):
                    yield from self._hops(root, path, line, loads_last)

    def _model(self, module: str, node: ast.AST) -> str | None:
        if not isinstance(node, (ast.Name, ast.Attribute)):
            return None
        return self._asked("class", self.namespace.qualify(module, node) or "")

    def _manager_root(self, module: str, node: ast.Attribute) -> str | None:
        if isinstance(node.value, ast.Call) and call_name(node.value) == "get_user_model":
            model = self._asked("user")
        else:
            model = self._model(module, node.value)
        return model if model and self._asked("manager", model, node.attr) else None

    def _chain_root(self, module: str, node: ast.AST) -> str | None:
        # Down a chain of method calls to `Model.manager`; an attribute in between (a row's
        # related manager, `obj.tasks`) means the chain does not start at a known model.
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            node = node.func.value
        if isinstance(node, ast.Attribute):
            return self._manager_root(module, node)
        return None

    def _hops(self, model: str, path: str, line: int, loads_last: bool) -> Iterator[tuple[str, int, str]]:
        # `filter(project=p)` compares a key of the queried table; `project__name` reads Project.
        parts = path.lstrip("-?").split("__")
        for index, part in enumerate(parts):
            model = self._asked("lookup", model, part)
            if model is None or (index == len(parts) - 1 and not loads_last):
                return
            yield model, line, "__".join(parts[: index + 1])

    def _get_model(self, call: ast.Call) -> str | None:
        values = [literal(argument) for argument in call.args[:2]]
        if not values or not all(isinstance(value, str) for value in values):
            return None
        app, _, name = ".".join(values).rpartition(".")  # ("app", "Model") or ("app.Model",)
        if not app or not name:
            return None
        found = self._asked("label", app, name.lower())
        return f"{app}.{name}" if found is None else found


def _lookup_paths(call: ast.Call) -> Iterator[tuple[str, int, bool]]:
    """(lookup path, line, whether its last relation is loaded too) in a query method's arguments."""
    method = call_name(call)
    if method in _KEYWORD_LOOKUPS:
        for keyword in call.keywords:
            if keyword.arg and keyword.arg != "defaults":
                yield keyword.arg, keyword.value.lineno, False
    if method in _STRING_LOOKUPS:
        for argument in call.args:
            value = literal(argument)
            if isinstance(value, str):
                yield value, argument.lineno, method in _LOADING
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        for node in ast.walk(argument):
            if not isinstance(node, ast.Call):
                continue
            if call_name(node) == "Q":
                yield from ((keyword.arg, keyword.value.lineno, False)
                            for keyword in node.keywords if keyword.arg)
            elif call_name(node) in _EXPRESSIONS and node.args and isinstance(literal(node.args[0]), str):
                yield literal(node.args[0]), node.args[0].lineno, call_name(node) in _LOADING


def _atomic_blocks(module: str, node: ast.AST, namespace: Namespace,
                   function: str) -> Iterator[tuple[int, str, list[ast.AST]]]:
    """(line, enclosing function, body) of every atomic block and atomic function."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
            continue  # blocks and functions are statements; expressions can nest very deep
        inner = function
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = child.name
            for decorator in child.decorator_list:
                if _is_atomic(module, decorator, namespace):
                    yield decorator.lineno, child.name, list(child.body)
        elif isinstance(child, (ast.With, ast.AsyncWith)):
            if any(_is_atomic(module, item.context_expr, namespace) for item in child.items):
                yield child.lineno, function, list(child.body)
        yield from _atomic_blocks(module, child, namespace, inner)


def _is_atomic(module: str, node: ast.AST, namespace: Namespace) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    if call_name(target) == "atomic":
        return True
    if (isinstance(node, ast.Call) and call_name(node) in ("begin", "begin_nested")
            and isinstance(target, ast.Attribute)):
        return call_name(target.value).endswith("session")
    return (namespace.qualify(module, target) or "").endswith(".atomic")
