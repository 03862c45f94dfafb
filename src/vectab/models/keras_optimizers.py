"""Keras 3's optimizers by name, with Keras' defaults and, where torch's rule differs, Keras' rule.

``Sequential.compile(optimizer="rmsprop")`` resolves here (:func:`get_optimizer`). Keras 3 and
torch disagree on three update rules, so these are torch optimizers with Keras' arithmetic:

- :class:`RMSprop`: Keras divides by ``sqrt(v + eps)``, torch by ``sqrt(v) + eps``;
- :class:`Adam` (and ``"adamw"``): Keras adds ``eps`` to ``sqrt(v)`` before the bias correction
  ``sqrt(1 - beta_2^t)``, torch after it; AdamW's decay ``w -= lr * wd * w`` comes first, as in
  both;
- :class:`Adagrad`: Keras starts the accumulator at 0.1 and divides by ``sqrt(acc + eps)``.

``"sgd"`` is torch's SGD (the same rule). ``"nadam"``, ``"adadelta"`` and ``"adamax"`` are
torch's with Keras' learning rates and epsilons (their rules differ in details).

Defaults (Keras 3): learning rate 0.001 everywhere but SGD (0.01); ``epsilon=1e-7``; rmsprop
``rho=0.9``; adam ``beta_1=0.9, beta_2=0.999``; adamw ``weight_decay=0.004``; adadelta
``rho=0.95``.

Example:
    >>> import torch
    >>> w = torch.nn.Parameter(torch.tensor([1.0]))
    >>> opt = RMSprop([w])
    >>> w.grad = torch.tensor([0.5]); opt.step()
    >>> round(float(w), 6)  # 1 - 0.001 * 0.5 / sqrt(0.1 * 0.25 + 1e-7)
    0.996838
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

__all__ = ["OPTIMIZERS", "Adagrad", "Adam", "RMSprop", "get_optimizer"]


class RMSprop(torch.optim.Optimizer):
    """Keras 3's RMSprop: ``v = rho v + (1 - rho) g^2``, ``w -= lr g / sqrt(v + eps)``."""

    def __init__(self, params: Iterable[Any], lr: float = 0.001, rho: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-7, centered: bool = False) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "momentum": momentum, "eps": epsilon,
                                  "centered": centered})

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:  # noqa: D102
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, rho, eps, mom = group["lr"], group["rho"], group["eps"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, state = p.grad, self.state[p]
                if not state:
                    state["v"] = torch.zeros_like(p)
                    state["m"] = torch.zeros_like(p)
                    state["avg"] = torch.zeros_like(p)
                v = state["v"].mul_(rho).addcmul_(g, g, value=1 - rho)
                if group["centered"]:
                    avg = state["avg"].mul_(rho).add_(g, alpha=1 - rho)
                    denom = (v - avg.square() + eps).sqrt()
                else:
                    denom = (v + eps).sqrt()
                increment = lr * g / denom
                if mom > 0:
                    p.sub_(state["m"].mul_(mom).add_(increment))
                else:
                    p.sub_(increment)
        return loss


class Adam(torch.optim.Optimizer):
    """Keras 3's Adam/AdamW: ``w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)``."""

    def __init__(self, params: Iterable[Any], lr: float = 0.001, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "beta_1": beta_1, "beta_2": beta_2, "eps": epsilon,
                                  "amsgrad": amsgrad, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:  # noqa: D102
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, b1, b2, eps = group["lr"], group["beta_1"], group["beta_2"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g, state = p.grad, self.state[p]
                if not state:
                    state["t"] = 0
                    state["m"] = torch.zeros_like(p)
                    state["v"] = torch.zeros_like(p)
                    state["v_hat"] = torch.zeros_like(p)
                if group["weight_decay"]:
                    p.sub_(p * (lr * group["weight_decay"]))
                state["t"] += 1
                t = state["t"]
                alpha = lr * (1 - b2**t) ** 0.5 / (1 - b1**t)
                m = state["m"].add_((g - state["m"]) * (1 - b1))
                v = state["v"].add_((g * g - state["v"]) * (1 - b2))
                if group["amsgrad"]:
                    v = torch.maximum(state["v_hat"], v, out=state["v_hat"])
                p.sub_(m * alpha / (v.sqrt() + eps))
        return loss


class Adagrad(torch.optim.Optimizer):
    """Keras 3's Adagrad: ``acc += g^2`` (from 0.1), ``w -= lr g / sqrt(acc + eps)``."""

    def __init__(self, params: Iterable[Any], lr: float = 0.001,
                 initial_accumulator_value: float = 0.1, epsilon: float = 1e-7) -> None:
        super().__init__(params, {"lr": lr, "init": initial_accumulator_value, "eps": epsilon})

    @torch.no_grad()
    def step(self, closure: Any = None) -> Any:  # noqa: D102
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["acc"] = torch.full_like(p, group["init"])
                acc = state["acc"].addcmul_(p.grad, p.grad)
                p.sub_(group["lr"] * p.grad / (acc + group["eps"]).sqrt())
        return loss


OPTIMIZERS: dict[str, Any] = {
    "rmsprop": lambda params: RMSprop(params),
    "adam": lambda params: Adam(params),
    "adamw": lambda params: Adam(params, weight_decay=0.004),
    "adagrad": lambda params: Adagrad(params),
    "sgd": lambda params: torch.optim.SGD(params, lr=0.01),
    "nadam": lambda params: torch.optim.NAdam(params, lr=0.001, eps=1e-7),
    "adadelta": lambda params: torch.optim.Adadelta(params, lr=0.001, rho=0.95, eps=1e-7),
    "adamax": lambda params: torch.optim.Adamax(params, lr=0.001, eps=1e-7),
}


def check_optimizer(optimizer: Any) -> None:
    """Raise the argument error for anything :func:`get_optimizer` cannot use."""
    if isinstance(optimizer, str):
        if optimizer.lower() not in OPTIMIZERS:
            raise ValueError(
                f"`optimizer` must be one of {sorted(OPTIMIZERS)}, a torch optimizer or a torch "
                f"optimizer class; got {optimizer!r}."
            )
        return
    if isinstance(optimizer, torch.optim.Optimizer) or (
        isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)
    ):
        return
    raise TypeError(
        f"`optimizer` must be a name such as 'rmsprop', a torch optimizer or a torch optimizer "
        f"class; got {type(optimizer).__name__}: {optimizer!r}."
    )


def get_optimizer(optimizer: Any, params: Iterable[Any]) -> torch.optim.Optimizer:
    """A ready optimizer over ``params``: Keras' by name, a class instantiated, or as given."""
    check_optimizer(optimizer)
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    params = [p for p in params if p.requires_grad]
    if isinstance(optimizer, str):
        return OPTIMIZERS[optimizer.lower()](params)
    return optimizer(params)
