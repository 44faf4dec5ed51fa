"""A step's code identity: its source normalized through the AST, and the helpers it reaches.

Normalizing makes edits that cannot change a result invisible to the fingerprint:
comments, whitespace, docstrings, decorators and the names of local variables and
parameters (renamed in order of first appearance, per scope). Anything else (a constant,
an operator, a call) changes the normalized text.

Helpers: the functions, classes and small constants a step's code reaches by name in the
user's own modules (not the standard library, not installed packages, not provgraph), read
transitively. Each one's normalized source (or constant value) is hashed, so editing a
helper invalidates every step that calls it, which Formed does not do.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
import linecache
import site
import sys
import sysconfig
import textwrap
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson

# provgraph's own packages: their code is never a "helper" of a user's step.
_OWN_PACKAGES = frozenset({"capture", "provgraph", "keeper", "prov_model", "cypher", "exports"})
_MAX_HELPERS = 500
_MAX_CONSTANT_BYTES = 4096
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def digest(data: bytes | str, size: int = 32) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:size]


@dataclass(frozen=True)
class CodeIdentity:
    """What the source part of a fingerprint is made of."""

    source: str  # digest of the step's own normalized source
    helpers: dict[str, str] = field(default_factory=dict)  # "module:qualname" -> digest
    normalized: str = ""  # the normalized source itself (readable Python)

    @property
    def digest(self) -> str:
        """One digest for the step's code and every helper it reaches."""
        return digest(orjson.dumps({"source": self.source, "helpers": self.helpers},
                                   option=orjson.OPT_SORT_KEYS))


# --- normalizing ---------------------------------------------------------------------------


def _strip_docstring(body: list[ast.stmt]) -> None:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        del body[0]
        if not body:
            body.append(ast.Pass())


def _bound_names(scope: ast.AST) -> list[str]:
    """Names bound in one function scope, in order of first appearance (nested scopes
    excluded, ``global``/``nonlocal`` names excluded)."""
    bound: dict[str, None] = {}
    declared: set[str] = set()
    if isinstance(scope, _SCOPES):
        args = scope.args
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None:
                bound[arg.arg] = None
    body: list[Any] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)  # type: ignore[attr-defined]
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
            continue
        if isinstance(node, _DEFS):
            bound.setdefault(node.name, None)
            continue  # a nested scope: its own names
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            bound.setdefault(node.id, None)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.setdefault(node.name, None)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return [name for name in bound if name not in declared]


class _Renamer(ast.NodeTransformer):
    """Renames every function scope's local names to ``_<depth>_<n>``."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, str]] = []

    def _lookup(self, name: str) -> str | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def _scoped(self, node: ast.AST) -> ast.AST:
        depth = len(self.scopes)
        self.scopes.append({name: f"_{depth}_{i}" for i, name in enumerate(_bound_names(node))})
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.decorator_list = [self.visit(d) for d in node.decorator_list]
            node.args = self.visit(node.args)
            node.returns = self.visit(node.returns) if node.returns is not None else None
            node.body = [self.visit(stmt) for stmt in node.body]
        else:
            self.generic_visit(node)
        self.scopes.pop()
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        renamed = self._lookup(node.name)
        if renamed is not None:
            node.name = renamed
        return self._scoped(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        renamed = self._lookup(node.name)
        if renamed is not None:
            node.name = renamed
        return self._scoped(node)

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return self._scoped(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        renamed = self._lookup(node.id)
        if renamed is not None:
            node.id = renamed
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        renamed = self._lookup(node.arg)
        if renamed is not None:
            node.arg = renamed
        node.annotation = self.visit(node.annotation) if node.annotation is not None else None
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        if node.name:
            node.name = self._lookup(node.name) or node.name
        self.generic_visit(node)
        return node


def parse_source(obj: Any) -> ast.Module | None:
    """The AST of a function's or class's source, or ``None`` when it has none."""
    target = inspect.unwrap(obj) if callable(obj) else obj
    filename = getattr(getattr(target, "__code__", None), "co_filename", None)
    if filename:
        linecache.checkcache(filename)  # a file edited since this process read it
    try:
        source = textwrap.dedent(inspect.getsource(target))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    if not tree.body or not isinstance(tree.body[0], _DEFS):
        return None  # e.g. a lambda: its line is not a definition
    return tree


def normalize(tree: ast.Module) -> str:
    """The normalized source of a parsed definition (see the module docstring)."""
    tree = ast.parse(ast.unparse(tree))  # a private copy
    top = tree.body[0]
    assert isinstance(top, _DEFS)
    top.decorator_list = []
    top.name = "_"
    for node in ast.walk(tree):
        if isinstance(node, _DEFS):
            _strip_docstring(node.body)
    return ast.unparse(_Renamer().visit(tree))


def normalized_source(obj: Any) -> str | None:
    """The normalized source of a function or class (``None`` without source)."""
    tree = parse_source(obj)
    return normalize(tree) if tree is not None else None


def _fallback_digest(obj: Any) -> str:
    code = getattr(inspect.unwrap(obj) if callable(obj) else obj, "__code__", None)
    if code is not None:
        return digest(code.co_code + repr(code.co_consts).encode())
    return digest(repr(obj))


# --- helpers -------------------------------------------------------------------------------


@cache
def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    roots = {paths.get(key, "") for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.update(getattr(site, "getsitepackages", list)())
    user_site = getattr(site, "getusersitepackages", lambda: "")()
    if user_site:
        roots.add(user_site)
    roots.update({sys.prefix, sys.base_prefix, sys.exec_prefix})
    return tuple(sorted(str(Path(r).resolve()) for r in roots if r))


def is_user_module(module_name: str | None) -> bool:
    """Whether a module is the user's own code (not stdlib, not installed, not provgraph)."""
    if not module_name or module_name.split(".")[0] in _OWN_PACKAGES:
        return False
    module = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None)
    if not filename:
        return False
    resolved = str(Path(filename).resolve())
    return not any(resolved.startswith(root + "/") or resolved == root
                   for root in _library_roots())


def _free_references(tree: ast.Module) -> Iterator[tuple[str, ...]]:
    """Dotted name chains the code loads (``helpers.clean`` gives ``("helpers", "clean")``)."""
    local: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, _SCOPES):
            local.update(_bound_names(node))
    for node in ast.walk(tree):
        chain: list[str] = []
        current: ast.AST = node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load) \
                and current.id not in local and (isinstance(node, ast.Name) or chain):
            yield (current.id, *reversed(chain))


def _namespace(obj: Any) -> dict[str, Any]:
    """The names a function's code sees: its closure cells, then its module's globals."""
    target = inspect.unwrap(obj) if callable(obj) else obj
    names: dict[str, Any] = {}
    module = sys.modules.get(getattr(target, "__module__", "") or "")
    if module is not None:
        names.update(vars(module))
    names.update(getattr(target, "__globals__", {}))
    code = getattr(target, "__code__", None)
    closure = getattr(target, "__closure__", None)
    if code is not None and closure:
        for name, cell in zip(code.co_freevars, closure, strict=False):
            try:
                names[name] = cell.cell_contents
            except ValueError:  # an empty cell
                continue
    return names


def _resolve(chain: tuple[str, ...], namespace: dict[str, Any], home: str
             ) -> Iterator[tuple[str, Any]]:
    """The object a name chain reaches, with the name it is known by (``module:attr``):
    each prefix that is a module leads on; the first non-module is the target
    (``np.linalg.norm`` stops at ``norm``)."""
    head = chain[0]
    if head not in namespace:
        return
    obj = namespace[head]
    owner, name = home, head
    for part in chain[1:]:
        if not isinstance(obj, types.ModuleType):
            break
        if not hasattr(obj, part):
            return
        owner, name = obj.__name__, part
        obj = getattr(obj, part)
    yield f"{owner}:{name}", obj


def _is_immutable(value: Any) -> bool:
    if isinstance(value, bool | int | float | str | bytes | type(None)):
        return True
    return isinstance(value, tuple | frozenset) and all(_is_immutable(v) for v in value)


def _constant_digest(value: Any) -> str | None:
    """A digest of a module-level constant (immutable values only: a list or dict there is
    state the code may change, not a constant)."""
    if not _is_immutable(value):
        return None
    encoded = repr(value).encode()
    return digest(encoded, 16) if len(encoded) <= _MAX_CONSTANT_BYTES else None


def _definition_key(obj: Any) -> str | None:
    target = inspect.unwrap(obj) if callable(obj) else obj
    if isinstance(target, types.FunctionType | type):
        module = getattr(target, "__module__", None)
        if is_user_module(module):
            return f"{module}:{target.__qualname__}"
    return None


def code_identity(func: Callable[..., Any]) -> CodeIdentity:
    """The step's normalized source digest and the digests of every helper it reaches."""
    tree = parse_source(func)
    if tree is None:
        return CodeIdentity(source=_fallback_digest(func))
    normalized = normalize(tree)
    helpers: dict[str, str] = {}
    seen: set[int] = {id(inspect.unwrap(func))}
    pending: list[tuple[Any, ast.Module]] = [(func, tree)]
    while pending and len(helpers) < _MAX_HELPERS:
        owner, owner_tree = pending.pop()
        namespace = _namespace(owner)
        module_name = getattr(inspect.unwrap(owner) if callable(owner) else owner,
                              "__module__", "")
        for chain in _free_references(owner_tree):
            if chain[0] in vars(builtins) and chain[0] not in namespace:
                continue
            for name, obj in _resolve(chain, namespace, module_name):
                target = inspect.unwrap(obj) if callable(obj) else obj
                if id(target) in seen:
                    continue
                key = _definition_key(target)
                if key is not None:
                    seen.add(id(target))
                    helper_tree = parse_source(target)
                    if helper_tree is None:
                        helpers[key] = _fallback_digest(target)
                        continue
                    helpers[key] = digest(normalize(helper_tree), 16)
                    pending.append((target, helper_tree))
                    for member in vars(target).values() if isinstance(target, type) else ():
                        member_fn = getattr(member, "__func__", member)
                        if isinstance(member_fn, types.FunctionType):
                            member_tree = parse_source(member_fn)
                            if member_tree is not None:
                                seen.add(id(member_fn))
                                pending.append((member_fn, member_tree))
                elif is_user_module(name.partition(":")[0]) and not callable(obj) \
                        and not isinstance(obj, types.ModuleType):
                    constant = _constant_digest(obj)
                    if constant is not None:
                        helpers[name] = constant
    return CodeIdentity(source=digest(normalized), helpers=dict(sorted(helpers.items())),
                        normalized=normalized)
