"""The shared module harness catches each kind of broken module it promises to catch."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vectab.testing import run_module_test


class _Frozen(nn.Module):
    """A module whose frozen parameter wrongly receives a gradient."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(3))
        self.frozen = nn.Parameter(torch.ones(3), requires_grad=False)

    def forward(self, x):
        self.frozen.grad = torch.ones(3)
        return x * self.w


class _Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(3, 3)
        self.unused = nn.Linear(3, 3)

    def forward(self, x):
        return self.used(x)


class _Noisy(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(3))

    def forward(self, x):
        return x * self.w + torch.rand(3)


class _Unsaved(nn.Module):
    """Part of its state is a random non-persistent buffer, so a rebuilt copy differs."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(3))
        self.register_buffer("scale", torch.randn(3), persistent=False)

    def forward(self, x):
        return x * self.w * self.scale


class _Mutating(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(3))
        self.register_buffer("table", torch.zeros(3))

    def forward(self, x):
        self.table += 1
        return x * self.w


X = torch.randn(2, 3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_Frozen, "frozen parameter 'frozen' got a gradient"),
        (_Unused, "trainable parameter 'unused.weight' got no gradient"),
        (_Noisy, "two eval-mode calls on the same input differ"),
        (_Mutating, "buffer 'table' changed"),
        (lambda: nn.Linear(3, 4), r"output shape \(2, 4\) != expected \(2, 3\)"),
    ],
)
def test_harness_reports_broken_modules(make, message):
    with pytest.raises(AssertionError, match=message):
        run_module_test(make, X, expected_output_shape=(2, 3))


def test_harness_checks_dtype_and_round_trip():
    with pytest.raises(AssertionError,
                       match="output dtype torch.float32 != expected torch.float64"):
        run_module_test(lambda: nn.Linear(3, 3), X, expected_output_dtype=torch.float64)
    with pytest.raises(AssertionError,
                       match="rebuilt from its state_dict gives a different output"):
        run_module_test(_Unsaved, X)


def test_harness_options_and_tuple_outputs():
    run_module_test(_Unused, X, allow_zero_grad=["unused.weight", "unused.bias"])
    run_module_test(_Mutating, X, mutable_buffers=["table"])
    out = run_module_test(lambda: nn.LSTM(3, 2, batch_first=True), X.unsqueeze(0))
    assert out[0].shape == (1, 2, 2)
