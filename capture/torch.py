"""``@flowcept_torch``: record every ``forward`` call of an ``nn.Module`` as a task.

Tensors are recorded by shape, dtype and device (never their data). torch is imported
only by the model code that uses this decorator.
"""

from __future__ import annotations

import functools
from typing import Any

from capture.decorators import flowcept_task
from capture.loops import FlowceptLoop


def describe_tensor(value: Any) -> Any:
    """A small JSON description of a tensor; other values are returned unchanged."""
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        return {
            "type": type(value).__name__,
            "shape": [int(d) for d in shape],
            "dtype": str(dtype),
            "device": str(getattr(value, "device", "cpu")),
        }
    return value


def _tensor_args_handler(**values: Any) -> dict[str, Any]:
    return {name: describe_tensor(value) for name, value in values.items()}


def flowcept_torch(cls: Any = None, **options: Any) -> Any:
    """Class decorator: each ``forward`` call of the module becomes a task
    (``activity_id='<Class>.forward'``, ``subtype='torch_forward'``).

    Extra constructor arguments of the Flowcept API (``get_profile``, ``custom_metadata``)
    are accepted; ``custom_metadata`` is recorded on each task.
    """

    def decorate(module_cls: Any) -> Any:
        forward = module_cls.forward
        custom_metadata = options.get("custom_metadata")
        instrumented = flowcept_task(
            forward,
            subtype="torch_forward",
            args_handler=_tensor_args_handler,
            custom_metadata={"model": module_cls.__name__, **(custom_metadata or {})},
        )

        @functools.wraps(forward)
        def wrapped_forward(self: Any, *args: Any, **kwargs: Any) -> Any:
            return instrumented(self, *args, **kwargs)

        wrapped_forward.__qualname__ = f"{module_cls.__name__}.forward"
        module_cls.forward = wrapped_forward
        return module_cls

    if cls is None:
        return decorate
    return decorate(cls)


class FlowceptEpochLoop(FlowceptLoop):
    """Flowcept's epoch loop of a training script: a ``FlowceptLoop`` named ``EpochLoop``
    over ``epoch`` items. With a ``model`` that has ``new_epoch`` (Flowcept's torch
    wrapper), the model is told each epoch's task id as it starts."""

    def __init__(self, items: Any, model: Any = None, parent_task_id: str | None = None,
                 workflow_id: str | None = None, items_length: int = 0,
                 capture_enabled: bool = True) -> None:
        super().__init__(items, loop_name="EpochLoop", item_name="epoch",
                         parent_task_id=parent_task_id, workflow_id=workflow_id,
                         items_length=items_length, capture_enabled=capture_enabled)
        self.model = model

    def __next__(self) -> Any:
        item = super().__next__()
        new_epoch = getattr(self.model, "new_epoch", None)
        if callable(new_epoch):
            new_epoch(self.get_current_iteration_id())
        return item


class FlowceptBatchLoop(FlowceptLoop):
    """Flowcept's batch loop: a ``FlowceptLoop`` named ``BatchLoop`` over ``batch`` items,
    whose iterations are children of the epoch running it (``parent_task_id``, else the
    current task, e.g. an epoch of a ``FlowceptEpochLoop``)."""

    def __init__(self, items: Any, parent_task_id: str | None = None,
                 workflow_id: str | None = None, items_length: int = 0,
                 capture_enabled: bool = True) -> None:
        super().__init__(items, loop_name="BatchLoop", item_name="batch",
                         parent_task_id=parent_task_id, workflow_id=workflow_id,
                         items_length=items_length, capture_enabled=capture_enabled)
