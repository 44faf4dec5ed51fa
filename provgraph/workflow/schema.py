"""A JSON Schema of the registered steps, for completion and checks in an editor.

    provgraph workflow schema --output schema.json

then ``"$schema": "./schema.json"`` in a JSON config. Each step is an object whose
``type`` is its registered name and whose other keys are its parameters, typed from the
function's hints by colt's schema generator (as ``formed workflow schema`` does); every
argument may also be a ``{type: 'ref', ref: ...}`` reference.
"""

from __future__ import annotations

import inspect
from typing import Any, TypedDict

from provgraph.workflow import build
from provgraph.workflow.errors import optional
from provgraph.workflow.steps import STEPS, WorkflowStep

_REF_NAME = "__ref__"
REF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {build.TYPE_KEY: {"const": build.REF_TYPE}, build.REF_KEY: {"type": "string"}},
    "required": [build.TYPE_KEY, build.REF_KEY],
    "additionalProperties": False,
    "description": "the result of another step ('name'), or one field of it ('name.field')",
}
_REF = {"$ref": f"#/$defs/{_REF_NAME}"}


def _stand_in(base: type, step: WorkflowStep) -> type:
    """A class whose ``__init__`` has the step's signature (colt reads classes' inits)."""
    hints = step.type_hints()
    parameters = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                  *(p.replace(annotation=hints.get(name, p.annotation))
                    for name, p in step.parameters().items())]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # never called
        raise TypeError("a schema stand-in")

    __init__.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    __init__.__annotations__ = {k: v for k, v in hints.items() if k != "return"}
    doc = inspect.getdoc(step.function)
    namespace = {"__init__": __init__, "__doc__": doc, "__module__": step.module,
                 "__qualname__": step.qualname}
    return type(step.qualname.rsplit(".", 1)[-1], (base,), namespace)


def generate_workflow_schema(title: str = "provgraph workflow") -> dict[str, Any]:
    """The schema of a config with the steps registered now."""
    optional("colt", "generating the workflow schema")
    from colt import JsonSchemaGenerator, Registrable

    class Step(Registrable):
        """A registered workflow step."""

    for name, step in STEPS.items():
        Step.register(name)(_stand_in(Step, step))

    def with_refs(schema: dict[str, Any], context: Any) -> dict[str, Any]:
        path = tuple(context.path)
        if len(path) >= 3 and path[0] == "steps":
            return {"anyOf": [schema, _REF]}
        return schema

    WorkflowConfig = TypedDict("WorkflowConfig", {"steps": dict[str, Step]})  # noqa: UP013
    generator = JsonSchemaGenerator(callback=with_refs, typekey=build.TYPE_KEY,
                                    argskey=build.ARGS_KEY)
    schema: dict[str, Any] = generator(WorkflowConfig, title=title,
                                       definitions={_REF_NAME: REF_SCHEMA})
    schema.setdefault("properties", {})["$schema"] = {"type": "string"}
    return schema
