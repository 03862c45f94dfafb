"""A shared test harness for modules (Keras' ``run_layer_test``, for PyTorch modules).

:func:`run_module_test` runs the checks every layer owes its users in one call: output shape
and dtype, the mask, that a backward pass reaches every trainable parameter and no frozen one
(and leaves the fixed buffers alone), that the output is deterministic in eval mode, a
``state_dict`` round trip through safetensors into a freshly built module, and ``repr``.

Example:
    >>> import torch
    >>> from vectab.nn import Embedding
    >>> from vectab.testing import run_module_test
    >>> out = run_module_test(
    ...     lambda: Embedding(10, 3, mask_zero=True),
    ...     torch.tensor([[1, 2, 0]]),
    ...     expected_output_shape=(1, 3, 3),
    ...     expected_mask=torch.tensor([[True, True, False]]),
    ... )
    >>> out.shape
    torch.Size([1, 3, 3])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

__all__ = ["run_module_test"]


def _call(module: nn.Module, inputs: Any) -> Any:
    if isinstance(inputs, dict):
        return module(**inputs)
    if isinstance(inputs, tuple):
        return module(*inputs)
    return module(inputs)


def _tensors(output: Any) -> list[torch.Tensor]:
    """The tensors of an output: a tensor, a tuple/list of them, a dict or a PackedSequence."""
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        return [t for item in output for t in _tensors(item)]
    return []


def _fail(message: str) -> None:
    raise AssertionError(message)


def _check_output(output: Any, shape: tuple | None, dtype: torch.dtype | None) -> torch.Tensor:
    tensors = _tensors(output)
    if not tensors:
        _fail(f"the module returned no tensor: {type(output).__name__}")
    first = tensors[0]
    if shape is not None and tuple(first.shape) != tuple(shape):
        _fail(f"output shape {tuple(first.shape)} != expected {tuple(shape)}")
    if dtype is not None and first.dtype != dtype:
        _fail(f"output dtype {first.dtype} != expected {dtype}")
    return first


def _check_gradients(
    module: nn.Module, output: Any, allow_zero_grad: set[str], fixed: dict[str, torch.Tensor]
) -> None:
    floats = [t for t in _tensors(output) if t.is_floating_point() and t.requires_grad]
    if not floats:
        if any(p.requires_grad for p in module.parameters()):
            _fail("the module has trainable parameters but its output does not require grad")
        return
    gen = torch.Generator().manual_seed(0)
    loss = sum(
        (t.float() * torch.rand(t.shape, generator=gen).to(t.device)).sum() for t in floats
    )
    loss.backward()
    for name, param in module.named_parameters():
        grad = param.grad
        if not param.requires_grad:
            if grad is not None:
                _fail(f"frozen parameter {name!r} got a gradient")
            continue
        if grad is None:
            if name in allow_zero_grad:
                continue
            _fail(f"trainable parameter {name!r} got no gradient")
        values = grad.coalesce().values() if grad.is_sparse else grad
        if not torch.isfinite(values).all():
            _fail(f"the gradient of {name!r} is not finite")
        if name not in allow_zero_grad and not bool(values.abs().sum() > 0):
            _fail(f"the gradient of {name!r} is all zero (list it in allow_zero_grad if expected)")
    for name, buffer in module.named_buffers():
        if name in fixed and not torch.equal(buffer, fixed[name]):
            _fail(f"buffer {name!r} changed during forward/backward")


def _round_trip(module: nn.Module, make_module: Callable[[], nn.Module], inputs: Any) -> None:
    from safetensors.torch import load, save

    state = {k: v.detach().contiguous() for k, v in module.state_dict().items()}
    restored = load(save(state))
    fresh = make_module()
    fresh.load_state_dict(restored, strict=True)
    again = fresh.state_dict()
    if set(again) != set(state):
        _fail(f"state_dict keys differ after the round trip: {sorted(set(again) ^ set(state))}")
    for key, value in state.items():
        if not torch.equal(again[key].cpu(), value.cpu()):
            _fail(f"state_dict entry {key!r} differs after the round trip")
    module.eval()
    fresh.eval()
    with torch.no_grad():
        for a, b in zip(_tensors(_call(module, inputs)), _tensors(_call(fresh, inputs))):
            if not torch.equal(a, b):
                _fail("the module rebuilt from its state_dict gives a different output")
    if hasattr(module, "trainable_rows") and not torch.equal(
        module.trainable_rows, fresh.trainable_rows
    ):
        _fail("the frozen rows differ after the state_dict round trip")


def run_module_test(
    make_module: Callable[[], nn.Module],
    inputs: Any,
    *,
    expected_output_shape: tuple | None = None,
    expected_output_dtype: torch.dtype | None = None,
    expected_mask: torch.Tensor | None = None,
    allow_zero_grad: Iterable[str] = (),
    mutable_buffers: Iterable[str] = (),
    state_dict_round_trip: bool = True,
) -> Any:
    """Build a module with ``make_module()`` and run the standard checks on ``inputs``.

    Args:
        make_module: builds the module; called twice (the second copy receives the first's
            state_dict, so a random initialisation proves the round trip restores weights).
        inputs: a tensor (``module(x)``), a tuple (``module(*x)``) or a dict (``module(**x)``).
        expected_output_shape: shape of the first output tensor.
        expected_output_dtype: dtype of the first output tensor.
        expected_mask: compared with ``module.compute_mask(inputs)`` (use ``None`` to skip).
        allow_zero_grad: parameter names whose gradient may be all zero (or missing) for these
            inputs.
        mutable_buffers: buffer names that forward may change (running statistics).
        state_dict_round_trip: check save -> safetensors -> load into a fresh module.

    Returns:
        The module's output in training mode (for further checks).

    Raises:
        AssertionError: with a message naming the failed check.
    """
    module = make_module()
    if not isinstance(module, nn.Module):
        _fail(f"make_module() must return an nn.Module; got {type(module).__name__}")
    text = repr(module)
    if type(module).__name__ not in text:
        _fail(f"repr {text!r} does not name the class")
    module.train()
    mutable = set(mutable_buffers)
    fixed = {
        name: b.detach().clone() for name, b in module.named_buffers() if name not in mutable
    }
    output = _call(module, inputs)
    _check_output(output, expected_output_shape, expected_output_dtype)
    if expected_mask is not None:
        mask = module.compute_mask(inputs)
        if mask is None or mask.dtype != torch.bool or not torch.equal(mask, expected_mask):
            _fail(f"compute_mask gave {mask!r}, expected {expected_mask!r}")
    _check_gradients(module, output, set(allow_zero_grad), fixed)
    module.eval()
    with torch.no_grad():
        first, second = _call(module, inputs), _call(module, inputs)
    for a, b in zip(_tensors(first), _tensors(second)):
        if not torch.equal(a, b):
            _fail("two eval-mode calls on the same input differ")
    if state_dict_round_trip:
        _round_trip(module, make_module, inputs)
    module.train()
    return output
