"""Which placeholder of a plural message holds the number that picks its form.

A plural form is chosen on the count passed to ``ngettext`` / ``counted``, and that
count is not always the first placeholder: "{n} of {total} offices awaited" takes its
form from ``{total}``. The catalog check needs to know which one it is to hold the
Arabic forms for one and for two to their rule (the number in words, no figure:
"تقرير واحد", "تقريران"), and to let those forms leave out that placeholder and no
other. This reads the source (``fieldplan/`` and ``ui/``) for the calls:

- ``counted(singular, plural, n, ...)`` and ``pcounted(context, singular, plural, n,
  ...)`` fill ``{count}`` (``{n}`` if the plural has no ``{count}``) with ``n``;
- ``ngettext(...)`` / ``npgettext(...)`` followed by ``.format(name=...)``, directly or
  on the variable it was stored in within the same function (or a loop variable running
  over something made of it), where the value given to ``name`` is the count itself or
  ``format_number(count, ...)``.

A message whose count cannot be told this way is left out of the answer.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

#: The calls that choose a plural form, and where their msgids start.
_PLURAL_CALLS = {"ngettext": 0, "counted": 0, "npgettext": 1, "pcounted": 1}

Key = tuple[str, "str | None"]


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _is_count(value: ast.expr, count: str) -> bool:
    """``value`` is the count expression, or ``format_number(count, ...)``."""
    if ast.unparse(value) == count:
        return True
    return (isinstance(value, ast.Call) and _name(value.func) == "format_number"
            and bool(value.args) and ast.unparse(value.args[0]) == count)


def _formatted_with(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> list[ast.Call]:
    """The ``.format(...)`` calls that fill the text ``call`` returns: on the call
    itself, or on the variable it is assigned to, within the enclosing function."""
    parent = parents.get(call)
    if isinstance(parent, ast.Attribute) and parent.attr == "format":
        return [parents[parent]]  # type: ignore[list-item]
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return []
    variable = parent.targets[0].id
    scope: ast.AST = parent
    while scope in parents and not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        scope = parents[scope]

    def uses(node: ast.AST, names: set[str]) -> bool:
        return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(node))

    # the variable, and the loop variables that run over something made of it
    # ("part.format(...) for part in around(said, ...)")
    names = {variable}
    for node in ast.walk(scope):
        if isinstance(node, ast.comprehension | ast.For) and uses(node.iter, {variable}):
            names |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    return [node for node in ast.walk(scope)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format" and node.keywords
            and uses(node.func.value, names)]


def _calls(tree: ast.AST) -> Iterable[tuple[Key, str | None]]:
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        start = _PLURAL_CALLS.get(_name(call.func) or "")
        if start is None or len(call.args) < start + 3:
            continue
        texts = call.args[:start + 2]
        if not all(isinstance(t, ast.Constant) and isinstance(t.value, str) for t in texts):
            continue
        context = texts[0].value if start else None  # type: ignore[attr-defined]
        singular, plural = (t.value for t in texts[start:])  # type: ignore[attr-defined]
        if _name(call.func) in ("counted", "pcounted"):
            yield (singular, context), "count" if "{count}" in plural else "n"
            continue
        count = ast.unparse(call.args[start + 2])
        names = {keyword.arg for fmt in _formatted_with(call, parents)
                 for keyword in fmt.keywords if keyword.arg and _is_count(keyword.value, count)}
        yield (singular, context), names.pop() if len(names) == 1 else None


def count_fields(root: Path, tops: Iterable[str] = ("fieldplan", "ui")) -> dict[Key, str]:
    """(singular msgid, context) -> the placeholder holding the count, for every plural
    message of the source under ``root`` whose count can be told (see the module)."""
    found: dict[Key, set[str | None]] = {}
    for top in tops:
        for path in sorted((root / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for key, field in _calls(tree):
                found.setdefault(key, set()).add(field)
    # a message used in several places counts on the same placeholder in each, or on
    # none that can be told
    return {key: fields.pop() for key, fields in found.items()
            if len(fields) == 1 and None not in fields}
