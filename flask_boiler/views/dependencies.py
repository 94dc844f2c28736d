"""Which fields of each source a view model reads — so a change to other fields costs nothing.

Firestore bills every read. A trigger that recomputes views whenever *anything* in a source
document changes pays for reads (reverse queries, referenced documents, the guard) even when
the changed field is one no view shows (a room's address). Knowing, per view model and per
source, which fields ``compute`` and ``keys`` can read lets the engine drop such a change
before it reads anything.

**Soundness.** The read set must cover every execution, not just the ones seen so far, so it
is derived from the code, not learned at run time:

* :func:`infer_reads` walks the AST of ``compute`` and ``keys`` (and the view's own methods
  and properties they call) and follows every value that comes from a source — ``self.meeting``,
  loop variables over ``self.attendees``, ``sorted(...)``/``next(...)``/comprehensions over
  them, names assigned from those. Reading a schema field of such a value records the field;
  identity (``doc_id``, ``doc_path``, ``doc_ref``, ``path_params``), truthiness, ``is None``
  and ``len()`` read none. **Any other use** — passing it to a function, comparing it with
  ``==``, formatting it, calling one of its methods, storing it in the view — makes that
  source "every field" (:data:`EVERY_FIELD`). Unreadable code (no source text) makes every
  source "every field".
* ``source(..., fields=(...))`` declares the set where inference cannot see (or to narrow it).
* Both are **enforced at run time**: ``compute`` receives the sources wrapped in
  :class:`GuardedSource`, which raises :class:`~flask_boiler.errors.UndeclaredSourceRead` if
  a field outside the set is read. A wrong set therefore fails loudly in the first test that
  exercises it instead of silently leaving views stale.

The framework itself also reads the reference attributes it follows (``via``), the
back-reference attribute (membership), and a type discriminator; :mod:`.dependents` adds them.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..errors import UndeclaredSourceRead
from .declaration import Source, ViewDeclaration

__all__ = [
    "EVERY_FIELD",
    "IDENTITY_ATTRIBUTES",
    "FieldSet",
    "GuardedSource",
    "ReadSet",
    "guard_sources",
    "infer_reads",
    "read_set",
]

#: A field set meaning "any field may be read".
EVERY_FIELD: Final = None
FieldSet = frozenset[str] | None

#: Attributes of a document model that never change for one document: reading them reads no field.
IDENTITY_ATTRIBUTES: Final = frozenset({"doc_id", "doc_path", "doc_ref", "path_params", "create_time"})


@dataclass(frozen=True)
class ReadSet:
    """Source name -> the fields ``compute``/``keys`` may read (:data:`EVERY_FIELD` for all)."""

    fields: Mapping[str, FieldSet]

    def of(self, source_name: str) -> FieldSet:
        return self.fields.get(source_name, EVERY_FIELD)

    def reads(self, source_name: str, attribute: str) -> bool:
        fields = self.of(source_name)
        return fields is EVERY_FIELD or attribute in fields


def read_set(view_cls: type, declaration: ViewDeclaration) -> ReadSet:
    """Declared ``fields=`` where given, otherwise what :func:`infer_reads` finds."""
    inferred = infer_reads(view_cls, declaration)
    return ReadSet(
        {
            item.name: frozenset(item.fields) if item.fields is not None else inferred.of(item.name)
            for item in declaration.sources
        }
    )


# -- inference -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    """What an expression may evaluate to: a source document (``elem``), a list of them
    (``coll``), the view itself (``self``), or ``enumerate`` over a list (``enum``)."""

    kind: str
    source: str = ""


_SELF = _Value("self")
_NOTHING: frozenset[_Value] = frozenset()
_COLLECTING_BUILTINS = frozenset({"sorted", "list", "tuple", "reversed", "filter"})
_PICKING_BUILTINS = frozenset({"min", "max", "next"})
_HARMLESS_BUILTINS = frozenset({"len", "isinstance", "bool", "any", "all", "sum"})


@dataclass
class _Analysis:
    view_cls: type
    sources: Mapping[str, Source]
    reads: dict[str, set[str]] = field(default_factory=dict)
    everything: set[str] = field(default_factory=set)
    analysed_methods: set[str] = field(default_factory=set)

    # -- outcomes ------------------------------------------------------------------------

    def escape(self, values: Iterable[_Value]) -> None:
        """``values`` are used in a way the analysis cannot follow: their sources read everything."""
        for value in values:
            if value.kind == "self":
                self.everything.update(self.sources)
            elif value.source:
                self.everything.add(value.source)

    def read(self, source_name: str, attribute: str) -> frozenset[_Value]:
        model = self.sources[source_name].model
        if attribute in IDENTITY_ATTRIBUTES or attribute in model.path_template().params:
            return _NOTHING  # where the document is never changes
        schema_field = model._meta.schema.fields.get(attribute)
        if schema_field is None:  # a method, property or anything else of the model
            self.everything.add(source_name)
            return _NOTHING
        self.reads.setdefault(source_name, set()).add(attribute)
        # The value is a plain value, or a lazy reference (its identity is free; reading its
        # fields would read a document that is no source of the view: not followed either way).
        return _NOTHING

    # -- functions ---------------------------------------------------------------------------

    def function(self, function: Callable[..., Any], bindings: Mapping[str, frozenset[_Value]]) -> None:
        """Analyse ``function``'s body with its parameters bound to ``bindings``."""
        tree = _parse(function)
        if tree is None:
            self.everything.update(self.sources)
            return
        arguments = tree.args
        env: dict[str, frozenset[_Value]] = {}
        names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
        for name in names:
            env[name] = bindings.get(name, _NOTHING)
        self.body(tree.body, env)

    def method(self, name: str, arguments: list[frozenset[_Value]]) -> None:
        """A method or property of the view called on ``self`` inside ``compute``."""
        attribute = inspect.getattr_static(self.view_cls, name, None)
        if isinstance(attribute, property):
            attribute = attribute.fget
        if isinstance(attribute, staticmethod | classmethod):
            attribute = attribute.__func__
        if not callable(attribute):
            self.escape([_SELF])
            return
        key = f"{name}:{hash(tuple(arguments))}"
        if key in self.analysed_methods:
            return
        self.analysed_methods.add(key)
        try:
            signature = inspect.signature(attribute)
        except (TypeError, ValueError):
            self.escape([_SELF])
            return
        params = list(signature.parameters)
        bindings = {params[0]: frozenset({_SELF})} if params else {}
        for param, value in zip(params[1:], arguments):
            bindings[param] = value
        self.function(attribute, bindings)

    # -- statements -------------------------------------------------------------------------

    def body(self, statements: list[ast.stmt], env: dict[str, frozenset[_Value]]) -> None:
        for statement in statements:
            self.statement(statement, env)

    def statement(self, node: ast.stmt, env: dict[str, frozenset[_Value]]) -> None:
        if isinstance(node, ast.Assign):
            value = self.expr(node.value, env)
            for target in node.targets:
                self.bind(target, value, env)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.bind(node.target, self.expr(node.value, env), env)
        elif isinstance(node, ast.AugAssign):
            self.escape(self.expr(node.value, env))
            self.escape(self.expr(node.target, env))
        elif isinstance(node, ast.Return | ast.Raise):
            value_node = node.value if isinstance(node, ast.Return) else node.exc
            if value_node is not None:
                self.escape(self.expr(value_node, env))
        elif isinstance(node, ast.Expr):
            self.expr(node.value, env)
        elif isinstance(node, ast.If | ast.While):
            self.expr(node.test, env)
            self.body(node.body, env)
            self.body(node.orelse, env)
        elif isinstance(node, ast.For):
            self.bind(node.target, self.elements(node.iter, env), env)
            self.body(node.body, env)
            self.body(node.orelse, env)
        elif isinstance(node, ast.With):
            for item in node.items:
                self.escape(self.expr(item.context_expr, env))
            self.body(node.body, env)
        elif isinstance(node, ast.Try):
            self.body(node.body, env)
            for handler in node.handlers:
                self.body(handler.body, env)
            self.body(node.orelse, env)
            self.body(node.finalbody, env)
        elif isinstance(node, ast.FunctionDef):
            inner = dict(env)
            for argument in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
                inner[argument.arg] = _NOTHING
            self.body(node.body, inner)
        elif isinstance(node, ast.Assert):
            self.expr(node.test, env)
            if node.msg is not None:
                self.escape(self.expr(node.msg, env))
        elif isinstance(node, ast.Pass | ast.Break | ast.Continue | ast.Delete | ast.Global | ast.Nonlocal):
            return
        else:  # match statements, async code, classes...: follow nothing, trust nothing
            self.escape_everything_in(node, env)

    def escape_everything_in(self, node: ast.AST, env: Mapping[str, frozenset[_Value]]) -> None:
        for child in ast.walk(node):
            if isinstance(child, ast.Name) and child.id in env:
                self.escape(env[child.id])

    def bind(self, target: ast.expr, value: frozenset[_Value], env: dict[str, frozenset[_Value]]) -> None:
        if isinstance(target, ast.Name):
            env[target.id] = env.get(target.id, _NOTHING) | value  # flow-insensitive: union
        elif isinstance(target, ast.Tuple | ast.List):
            enumerated = {v for v in value if v.kind == "enum"}
            rest = value - enumerated
            self.escape(rest)
            for index, element in enumerate(target.elts):
                if enumerated and len(target.elts) == 2 and index == 1:
                    self.bind(element, frozenset(_Value("elem", v.source) for v in enumerated), env)
                else:
                    self.bind(element, _NOTHING, env)
        else:  # attribute or subscript targets: storing a source somewhere we don't follow
            self.escape(value)
            self.expr(target, env)

    # -- expressions ------------------------------------------------------------------------

    def elements(self, node: ast.expr, env: Mapping[str, frozenset[_Value]]) -> frozenset[_Value]:
        """What iterating over ``node`` yields."""
        values = self.expr(node, env)
        result: set[_Value] = set()
        for value in values:
            if value.kind == "coll":
                result.add(_Value("elem", value.source))
            elif value.kind == "enum":
                result.add(value)
            else:
                self.escape([value])
        return frozenset(result)

    def comprehension(
        self, generators: list[ast.comprehension], env: Mapping[str, frozenset[_Value]]
    ) -> dict[str, frozenset[_Value]]:
        inner = dict(env)
        for generator in generators:
            self.bind(generator.target, self.elements(generator.iter, inner), inner)
            for condition in generator.ifs:
                self.expr(condition, inner)
        return inner

    def expr(self, node: ast.expr, env: Mapping[str, frozenset[_Value]]) -> frozenset[_Value]:
        if isinstance(node, ast.Name):
            if node.id == "super":  # super() reaches code this analysis does not follow
                self.escape([_SELF])
            return env.get(node.id, _NOTHING)
        if isinstance(node, ast.Constant):
            return _NOTHING
        if isinstance(node, ast.Attribute):
            return self.attribute(node, env)
        if isinstance(node, ast.Call):
            return self.call(node, env)
        if isinstance(node, ast.GeneratorExp | ast.ListComp):
            inner = self.comprehension(node.generators, env)
            elements = self.expr(node.elt, inner)
            collected = {_Value("coll", v.source) for v in elements if v.kind == "elem"}
            self.escape(v for v in elements if v.kind != "elem")
            return frozenset(collected)
        if isinstance(node, ast.SetComp):
            inner = self.comprehension(node.generators, env)
            self.escape(self.expr(node.elt, inner))
            return _NOTHING
        if isinstance(node, ast.DictComp):
            inner = self.comprehension(node.generators, env)
            self.escape(self.expr(node.key, inner))
            self.escape(self.expr(node.value, inner))
            return _NOTHING
        if isinstance(node, ast.BoolOp):
            return frozenset().union(*(self.expr(value, env) for value in node.values))
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand, env)
            if not isinstance(node.op, ast.Not):
                self.escape(operand)
            return _NOTHING
        if isinstance(node, ast.IfExp):
            self.expr(node.test, env)
            return self.expr(node.body, env) | self.expr(node.orelse, env)
        if isinstance(node, ast.Compare):
            operands = [self.expr(node.left, env), *(self.expr(c, env) for c in node.comparators)]
            if not all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
                for values in operands:
                    self.escape(values)
            return _NOTHING
        if isinstance(node, ast.BinOp):
            left, right = self.expr(node.left, env), self.expr(node.right, env)
            if isinstance(node.op, ast.Add) and all(v.kind == "coll" for v in left | right):
                return left | right  # list concatenation keeps the documents
            self.escape(left | right)
            return _NOTHING
        if isinstance(node, ast.Subscript):
            values = self.expr(node.value, env)
            self.escape(self.expr(node.slice, env))
            result: set[_Value] = set()
            for value in values:
                if value.kind == "coll":
                    result.add(value if isinstance(node.slice, ast.Slice) else _Value("elem", value.source))
                else:
                    self.escape([value])
            return frozenset(result)
        if isinstance(node, ast.Lambda):
            inner = dict(env)
            for argument in node.args.args:
                inner[argument.arg] = _NOTHING
            self.escape(self.expr(node.body, inner))
            return _NOTHING
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                self.escape(self.expr(part, env))
            return _NOTHING
        if isinstance(node, ast.FormattedValue):
            self.escape(self.expr(node.value, env))
            if node.format_spec is not None:
                self.expr(node.format_spec, env)
            return _NOTHING
        if isinstance(node, ast.NamedExpr):
            assigned = self.expr(node.value, env)
            if isinstance(env, dict):
                self.bind(node.target, assigned, env)
            return assigned
        if isinstance(node, ast.Dict):
            for item in (*node.keys, *node.values):
                if item is not None:
                    self.escape(self.expr(item, env))
            return _NOTHING
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            for item in node.elts:
                self.escape(self.expr(item, env))
            return _NOTHING
        if isinstance(node, ast.Starred):
            self.escape(self.expr(node.value, env))
            return _NOTHING
        self.escape_everything_in(node, env)
        return _NOTHING

    def attribute(self, node: ast.Attribute, env: Mapping[str, frozenset[_Value]]) -> frozenset[_Value]:
        result: set[_Value] = set()
        for value in self.expr(node.value, env):
            if value.kind == "self":
                result |= self.self_attribute(node.attr)
            elif value.kind == "elem":
                result |= self.read(value.source, node.attr)
            else:  # attributes of a list of documents (``.index``...), or of enumerate
                self.escape([value])
        return frozenset(result)

    def self_attribute(self, name: str) -> frozenset[_Value]:
        declared = self.sources.get(name)
        if declared is not None:
            return frozenset({_Value("coll" if declared.many else "elem", name)})
        if name == "key":
            return _NOTHING
        if name.startswith("_fb"):  # the framework's internals (the sources themselves live there)
            self.escape([_SELF])
            return _NOTHING
        attribute = inspect.getattr_static(self.view_cls, name, None)
        if isinstance(attribute, property):
            self.method(name, [])
        return _NOTHING  # view fields assigned earlier in compute, constants, methods (see call())

    def call(self, node: ast.Call, env: Mapping[str, frozenset[_Value]]) -> frozenset[_Value]:
        func = node.func
        arguments = [self.expr(a.value if isinstance(a, ast.Starred) else a, env) for a in node.args]
        keywords = {k.arg: k.value for k in node.keywords}
        if isinstance(func, ast.Attribute) and _SELF in self.expr(func.value, env) and func.attr not in self.sources:
            self.method(func.attr, arguments)
            for keyword in keywords.values():
                self.escape(self.expr(keyword, env))
            return _NOTHING
        if isinstance(func, ast.Name) and func.id in (
            _COLLECTING_BUILTINS | _PICKING_BUILTINS | _HARMLESS_BUILTINS | {"enumerate"}
        ):
            return self.builtin(func.id, node, arguments, env)
        self.escape(self.expr(func, env))
        for values in arguments:
            self.escape(values)
        for keyword in keywords.values():
            self.escape(self.expr(keyword, env))
        return _NOTHING

    def builtin(
        self, name: str, node: ast.Call, arguments: list[frozenset[_Value]], env: Mapping[str, frozenset[_Value]]
    ) -> frozenset[_Value]:
        documents = arguments[0] if arguments else _NOTHING
        if name == "filter":
            documents = arguments[1] if len(arguments) > 1 else _NOTHING
            self.key_function(node.args[0] if node.args else None, documents, env)
        for keyword in node.keywords:
            if keyword.arg == "key":
                self.key_function(keyword.value, documents, env)
            elif keyword.arg != "default":
                self.escape(self.expr(keyword.value, env))
        colls = frozenset(v for v in documents if v.kind == "coll")
        self.escape(documents - colls)
        if name in ("isinstance", "bool"):
            return _NOTHING
        if name == "enumerate":
            return frozenset(_Value("enum", v.source) for v in colls)
        if name in _COLLECTING_BUILTINS:
            return colls
        if name in _PICKING_BUILTINS:
            picked = frozenset(_Value("elem", v.source) for v in colls)
            for extra in arguments[1:]:
                if name != "next":
                    self.escape(extra)
                else:
                    picked |= extra
            return picked
        for extra in arguments[1:]:
            self.escape(extra)
        return _NOTHING  # len, any, all, sum: counts and truthiness

    def key_function(
        self, node: ast.expr | None, documents: frozenset[_Value], env: Mapping[str, frozenset[_Value]]
    ) -> None:
        """``sorted(docs, key=lambda d: ...)``: the lambda's parameter is one of the documents."""
        if node is None:
            return
        if isinstance(node, ast.Lambda) and len(node.args.args) == 1:
            inner = dict(env)
            inner[node.args.args[0].arg] = frozenset(_Value("elem", v.source) for v in documents if v.kind == "coll")
            # A key returning the document itself would compare documents: every field.
            self.escape(self.expr(node.body, inner))
            return
        self.escape(self.expr(node, env))
        self.escape(documents)


#: CPython 3.11 can fail with "AST constructor recursion depth mismatch" when two threads
#: parse at once (gh-106905); a server's first requests may infer read sets concurrently.
_PARSING = threading.Lock()


def _parse(function: Callable[..., Any]) -> ast.FunctionDef | None:
    try:
        with _PARSING:
            source_text = textwrap.dedent(inspect.getsource(function))
            module = ast.parse(source_text)
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(module):
        if isinstance(node, ast.FunctionDef) and node.name == getattr(function, "__name__", None):
            return node
    return None


def infer_reads(view_cls: type, declaration: ViewDeclaration) -> ReadSet:
    """The fields ``compute`` and ``keys`` of ``view_cls`` may read, per source (see the module docs)."""
    sources = {item.name: item for item in declaration.sources}
    analysis = _Analysis(view_cls, sources)
    compute = inspect.getattr_static(view_cls, "compute", None)
    if callable(compute):
        analysis.function(compute, {"self": frozenset({_SELF})})
    else:
        analysis.everything.update(sources)
    if declaration.keys is not None:
        try:
            first = next(iter(inspect.signature(declaration.keys).parameters))
        except (StopIteration, TypeError, ValueError):
            analysis.everything.add(declaration.root.name)
        else:
            analysis.function(declaration.keys, {first: frozenset({_Value("elem", declaration.root.name)})})
    return ReadSet(
        {
            name: EVERY_FIELD if name in analysis.everything else frozenset(analysis.reads.get(name, ()))
            for name in sources
        }
    )


# -- enforcement ------------------------------------------------------------------------------


class GuardedSource:
    """A source document as ``compute`` sees it: reading a field outside its read set raises.

    Behaves like the model instance it wraps (``isinstance`` included); it is only ever
    handed to ``compute`` and ``keys``. An allowed attribute is looked up on the document once,
    then kept on the guard itself, so a view of 1,000 attendees reading each one's name 1,000
    times pays the check 1,000 times, not a million.
    """

    def __init__(self, target: Any, allowed: frozenset[str], view: str, source_name: str) -> None:
        object.__setattr__(self, "_fb_target", target)
        object.__setattr__(self, "_fb_allowed", allowed)
        object.__setattr__(self, "_fb_view", view)
        object.__setattr__(self, "_fb_source", source_name)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # isinstance(source, Meeting) holds
        return type(object.__getattribute__(self, "_fb_target"))

    def __getattr__(self, name: str) -> Any:  # only called until the attribute is cached below
        if name in IDENTITY_ATTRIBUTES or name in object.__getattribute__(self, "_fb_allowed"):
            value = getattr(object.__getattribute__(self, "_fb_target"), name)
            object.__setattr__(self, name, value)
            return value
        raise UndeclaredSourceRead(
            object.__getattribute__(self, "_fb_view"), object.__getattribute__(self, "_fb_source"), name
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Sources are read-only inside compute() (tried to set {name!r}).")

    def __repr__(self) -> str:
        target = object.__getattribute__(self, "_fb_target")
        return f"<source {type(target).__name__} {getattr(target, 'doc_path', '?')}>"


def guard_sources(values: Mapping[str, Any], reads: ReadSet, view: str) -> dict[str, Any]:
    """Wrap each source value (a document, ``None`` or a list) for ``compute``."""

    def guard(name: str, document: Any) -> Any:
        allowed = reads.of(name)
        if document is None or allowed is EVERY_FIELD:
            return document
        return GuardedSource(document, allowed | frozenset(document.path_params), view, name)

    return {
        name: [guard(name, item) for item in value] if isinstance(value, list) else guard(name, value)
        for name, value in values.items()
    }
