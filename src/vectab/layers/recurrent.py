"""Keras' recurrent layers on torch's fused kernels: LSTM, GRU, SimpleRNN and Bidirectional.

Each layer holds one ``torch.nn.LSTM`` / ``GRU`` / ``RNN`` (``layer.rnn``) and runs it in one
call, never a Python loop over steps. A mask is honoured as Keras does: masked steps are
skipped (the state is carried over), so pre- and post-padding of a sequence give the same final
output. The real steps of each row are moved to the front (``left_align_index``), packed with
``pack_padded_sequence`` and run; with ``return_sequences`` the output at a masked step is the
last real step's output (zeros before the first real step), as Keras' ``zero_output_for_mask=
False``; ``Bidirectional`` uses zeros there, as Keras forces. A row with no real step keeps the
zero initial state.

Keras layouts in ``get_weights``: LSTM ``[kernel (in, 4u), recurrent_kernel (u, 4u),
bias (4u,)]``, gates i, f, c, o (torch's order; the Keras bias is kept in ``bias_ih`` and
``bias_hh`` is zero); GRU (``reset_after=True``, Keras 3's default) ``[kernel (in, 3u),
recurrent_kernel (u, 3u), bias (2, 3u)]``, gates z, r, h (torch: r, z, n); SimpleRNN ``[kernel,
recurrent_kernel, bias]``. ``dropout`` drops input features with one mask per sequence (as
Keras); ``recurrent_dropout`` is not supported (non-zero raises NotImplementedError): torch's
fused kernels have no hook for it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from vectab._checks import check_int, check_rate
from vectab.layers._base import Layer, deserialize
from vectab.layers.core import keras_init
from vectab.nn.encoders import is_left_aligned, left_align_index

__all__ = ["GRU", "LSTM", "Bidirectional", "SimpleRNN"]


def _run_masked(
    rnn: nn.Module, x: torch.Tensor, mask: torch.Tensor, *, outputs: bool = True
) -> tuple[Any, Any]:
    """Run ``rnn`` over the real steps of each row only: (compact outputs, final state).

    ``outputs=False`` (no ``return_sequences``): the per-step outputs are not unpacked (None).
    """
    if not is_left_aligned(mask):  # pre-padding: move the real steps first (post-padding is)
        gather, _ = left_align_index(mask)
        x = x.gather(1, gather.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    lengths = mask.sum(1)
    packed = pack_padded_sequence(
        x, lengths.clamp(min=1).cpu(), batch_first=True, enforce_sorted=False
    )
    out, state = rnn(packed)
    if outputs:
        out = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]
    else:
        out = None
    empty = (lengths == 0).view(1, -1, 1)
    if bool(empty.any()):  # a row with no real step keeps the zero initial state
        if out is not None:
            out = out.masked_fill(empty.view(-1, 1, 1), 0.0)
        state = tuple(s.masked_fill(empty, 0.0) for s in state) if isinstance(
            state, tuple) else state.masked_fill(empty, 0.0)
    return out, state


def _fixed_zero(rnn: nn.Module, name: str) -> None:
    """Turn torch's parameter ``name`` into a zero buffer: a trainable second bias would get
    the same gradient as the first and move the Keras bias twice as fast as Keras does."""
    zeros = torch.zeros_like(getattr(rnn, name).detach())
    del rnn._parameters[name]
    rnn.register_buffer(name, zeros)
    rnn._init_flat_weights()


class _RNN(Layer):
    """The shared machinery of LSTM, GRU and SimpleRNN (one torch recurrent module)."""

    supports_masking = True
    _gates = 1
    _state_count = 1

    def __init__(self, units: int, *, activation: Any, recurrent_activation: Any,
                 use_bias: bool, kernel_initializer: Any, recurrent_initializer: Any,
                 bias_initializer: Any, dropout: float, recurrent_dropout: float,
                 return_sequences: bool, return_state: bool, go_backwards: bool,
                 input_shape: Any, name: str | None) -> None:
        super().__init__(name=name, input_shape=input_shape)
        check_int(units, "units")
        check_rate(dropout, "dropout")
        check_rate(recurrent_dropout, "recurrent_dropout")
        if recurrent_dropout:
            raise NotImplementedError(
                "`recurrent_dropout` must be 0: torch's fused recurrent kernels have no "
                f"recurrent dropout; got {recurrent_dropout}. Use `dropout` (on the inputs)."
            )
        self.units = int(units)
        self._check_activations(activation, recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = kernel_initializer
        self.recurrent_initializer = recurrent_initializer
        self.bias_initializer = bias_initializer
        self.dropout = float(dropout)
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.zero_output_for_mask = False  # Bidirectional sets it, as Keras does
        self._build_now()

    def _check_activations(self, activation: Any, recurrent_activation: Any) -> None:
        if activation != "tanh" or recurrent_activation != "sigmoid":
            raise NotImplementedError(
                f"{type(self).__name__} runs on torch's fused kernel, which computes "
                f"activation='tanh' and recurrent_activation='sigmoid' only; got "
                f"activation={activation!r}, recurrent_activation={recurrent_activation!r}."
            )

    def _make_rnn(self, input_size: int) -> nn.Module:
        raise NotImplementedError

    def build(self, input_shape: Any) -> None:  # noqa: D102
        fan_in = int(input_shape[-1])
        self.rnn = self._make_rnn(fan_in)
        if self.use_bias and type(self)._get_weights is _RNN._get_weights:
            _fixed_zero(self.rnn, "bias_hh_l0")  # Keras has one bias: torch's second stays 0
        g = self._gates * self.units
        kernel = keras_init(self.kernel_initializer, (fan_in, g), "kernel_initializer")
        recurrent = keras_init(
            self.recurrent_initializer, (self.units, g), "recurrent_initializer"
        )
        weights = [kernel, recurrent]
        if self.use_bias:
            weights.append(self._initial_bias())
        with torch.no_grad():
            self._set_weights(weights)

    def _initial_bias(self) -> torch.Tensor:
        return keras_init(self.bias_initializer, (self._gates * self.units,), "bias_initializer")

    def _get_weights(self) -> list[torch.Tensor]:
        r = self.rnn
        out = [r.weight_ih_l0.T, r.weight_hh_l0.T]
        if self.use_bias:
            out.append(r.bias_ih_l0 + r.bias_hh_l0)
        return out

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        r = self.rnn
        r.weight_ih_l0.copy_(weights[0].T)
        r.weight_hh_l0.copy_(weights[1].T)
        if self.use_bias:
            r.bias_ih_l0.copy_(weights[2])
            r.bias_hh_l0.zero_()

    # the forward
    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> Any:  # noqa: D102
        if self.training and self.dropout > 0:
            keep = torch.empty(x.shape[0], 1, x.shape[2], device=x.device, dtype=x.dtype)
            x = x * keep.bernoulli_(1 - self.dropout) / (1 - self.dropout)
        if self.go_backwards:
            x = x.flip(1)
            mask = None if mask is None else mask.flip(1)
        if mask is not None and bool(mask.all()):
            mask = None
        if mask is None:
            out, state = self.rnn(x)
        else:
            out, state = _run_masked(self.rnn, x, mask, outputs=self.return_sequences)
            if self.return_sequences:
                index = (mask.long().cumsum(1) - 1).clamp(min=0)
                out = out.gather(1, index.unsqueeze(-1).expand(-1, -1, out.shape[-1]))
                seen = mask if self.zero_output_for_mask else mask.long().cummax(1).values > 0
                out = out * seen.unsqueeze(-1).to(out.dtype)
        states = [s[0] for s in state] if isinstance(state, tuple) else [state[0]]
        output = out if self.return_sequences else states[0]
        return [output, *states] if self.return_state else output

    def compute_mask(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        out = mask if self.return_sequences else None
        return [out] + [None] * self._state_count if self.return_state else out

    def compute_output_shape(self, input_shape: Any) -> Any:  # noqa: D102
        batch = input_shape[0]
        out = (batch, input_shape[1], self.units) if self.return_sequences else (batch, self.units)
        if self.return_state:
            return [out] + [(batch, self.units)] * self._state_count
        return out

    def extra_repr(self) -> str:
        return f"{self.units}, name={self.name!r}"


class LSTM(_RNN):
    """Long short-term memory (Keras' ``LSTM``), on ``torch.nn.LSTM``; see the module docs.

    Example:
        >>> import torch
        >>> layer = LSTM(4, return_sequences=True)
        >>> layer(torch.randn(2, 5, 3)).shape, [w.shape for w in layer.get_weights()]
        (torch.Size([2, 5, 4]), [(3, 16), (4, 16), (16,)])
    """

    _gates = 4
    _state_count = 2

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        unit_forget_bias: bool = True,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        *,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        self.__dict__["unit_forget_bias"] = bool(unit_forget_bias)  # read by build()
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            dropout=dropout, recurrent_dropout=recurrent_dropout,
            return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, input_shape=input_shape, name=name,
        )

    def _make_rnn(self, input_size: int) -> nn.Module:
        return nn.LSTM(input_size, self.units, batch_first=True, bias=self.use_bias)

    def _initial_bias(self) -> torch.Tensor:
        u = self.units
        bias = keras_init(self.bias_initializer, (4 * u,), "bias_initializer")
        if self.unit_forget_bias:  # Keras: initializer for i, ones for f, initializer for c, o
            bias[u:2 * u] = 1.0
        return bias


def _swap_zr(w: torch.Tensor, u: int) -> torch.Tensor:
    """Swap the first two gate blocks along the last axis (Keras z, r, h <-> torch r, z, n)."""
    return torch.cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], dim=-1)


class GRU(_RNN):
    """Gated recurrent unit (Keras' ``GRU`` with ``reset_after=True``), on ``torch.nn.GRU``.

    Example:
        >>> import torch
        >>> layer = GRU(4)
        >>> layer(torch.randn(2, 5, 3)).shape, [w.shape for w in layer.get_weights()]
        (torch.Size([2, 4]), [(3, 12), (4, 12), (2, 12)])
    """

    _gates = 3

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        reset_after: bool = True,
        *,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        if not reset_after:
            raise NotImplementedError(
                "`reset_after` must be True (Keras 3's default): torch's fused GRU applies the "
                "reset gate after the recurrent matmul; got reset_after=False."
            )
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            dropout=dropout, recurrent_dropout=recurrent_dropout,
            return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, input_shape=input_shape, name=name,
        )

    def _make_rnn(self, input_size: int) -> nn.Module:
        return nn.GRU(input_size, self.units, batch_first=True, bias=self.use_bias)

    def _initial_bias(self) -> torch.Tensor:
        return keras_init(self.bias_initializer, (2, 3 * self.units), "bias_initializer")

    def _get_weights(self) -> list[torch.Tensor]:
        r, u = self.rnn, self.units
        out = [_swap_zr(r.weight_ih_l0.T, u), _swap_zr(r.weight_hh_l0.T, u)]
        if self.use_bias:
            out.append(_swap_zr(torch.stack([r.bias_ih_l0, r.bias_hh_l0]), u))
        return out

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        r, u = self.rnn, self.units
        r.weight_ih_l0.copy_(_swap_zr(weights[0], u).T)
        r.weight_hh_l0.copy_(_swap_zr(weights[1], u).T)
        if self.use_bias:
            bias = _swap_zr(weights[2], u)
            r.bias_ih_l0.copy_(bias[0])
            r.bias_hh_l0.copy_(bias[1])


class SimpleRNN(_RNN):
    """Fully connected recurrence (Keras' ``SimpleRNN``), on ``torch.nn.RNN``
    (``activation`` "tanh" or "relu")."""

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        *,
        input_shape: Any = None,
        name: str | None = None,
    ) -> None:
        self.__dict__["nonlinearity"] = activation
        super().__init__(
            units, activation=activation, recurrent_activation=None,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            dropout=dropout, recurrent_dropout=recurrent_dropout,
            return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, input_shape=input_shape, name=name,
        )

    def _check_activations(self, activation: Any, recurrent_activation: Any) -> None:
        if activation not in ("tanh", "relu"):
            raise NotImplementedError(
                "SimpleRNN runs on torch.nn.RNN, which computes activation='tanh' or 'relu' "
                f"only; got {activation!r}."
            )

    def _make_rnn(self, input_size: int) -> nn.Module:
        return nn.RNN(input_size, self.units, batch_first=True, bias=self.use_bias,
                      nonlinearity=self.nonlinearity)


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy backwards, and merge (Keras' ``Bidirectional``).

    ``merge_mode``: "concat" (default), "sum", "mul", "ave" or None (a list of both outputs).
    ``get_weights()`` is the forward layer's weights, then the backward layer's.

    Example:
        >>> import torch
        >>> layer = Bidirectional(LSTM(4, return_sequences=True))
        >>> layer(torch.randn(2, 5, 3)).shape, layer.count_params()
        (torch.Size([2, 5, 8]), 256)
    """

    supports_masking = True

    def __init__(self, layer: Any, merge_mode: str | None = "concat", backward_layer: Any = None,
                 *, input_shape: Any = None, name: str | None = None) -> None:
        if isinstance(layer, dict):
            layer = deserialize(layer)
        if isinstance(backward_layer, dict):
            backward_layer = deserialize(backward_layer)
        if not isinstance(layer, _RNN):
            raise TypeError(
                f"`layer` must be an LSTM, GRU or SimpleRNN layer; got {type(layer).__name__}."
            )
        if merge_mode not in ("concat", "sum", "mul", "ave", None):
            raise ValueError(
                f"`merge_mode` must be 'concat', 'sum', 'mul', 'ave' or None; got {merge_mode!r}."
            )
        super().__init__(name=name, input_shape=input_shape)
        if backward_layer is None:
            config = layer.get_config()
            config.update(go_backwards=not layer.go_backwards, name=f"backward_{layer.name}")
            backward_layer = type(layer).from_config(config)
        self.forward_layer = layer
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        for sub in (self.forward_layer, self.backward_layer):
            sub.zero_output_for_mask = sub.return_sequences  # as Keras forces
        if layer.built and not backward_layer.built:
            backward_layer.build((None, None, layer.rnn.input_size))
            backward_layer.built = True
        self.built = layer.built and backward_layer.built
        self._build_now()

    def build(self, input_shape: Any) -> None:  # noqa: D102
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(input_shape)
                sub.built = True

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> Any:  # noqa: D102
        y = self.forward_layer(x, mask=mask)
        y_rev = self.backward_layer(x, mask=mask)
        states: list[torch.Tensor] = []
        if self.return_state:
            states = [*y[1:], *y_rev[1:]]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        if self.merge_mode == "concat":
            out: Any = torch.cat([y, y_rev], dim=-1)
        elif self.merge_mode == "sum":
            out = y + y_rev
        elif self.merge_mode == "mul":
            out = y * y_rev
        elif self.merge_mode == "ave":
            out = (y + y_rev) / 2
        else:
            out = [y, y_rev]
        if self.return_state:
            return [*out, *states] if self.merge_mode is None else [out, *states]
        return out

    def compute_mask(self, x: Any, mask: Any = None) -> Any:  # noqa: D102
        out = mask if self.return_sequences else None
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + [None] * (2 * self.forward_layer._state_count)
        return outs if self.merge_mode is None else out

    def compute_output_shape(self, input_shape: Any) -> Any:  # noqa: D102
        shapes = self.forward_layer.compute_output_shape(input_shape)
        out, states = (shapes[0], shapes[1:]) if self.return_state else (shapes, [])
        if self.merge_mode == "concat":
            out = (*out[:-1], 2 * out[-1])
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + list(states) * 2
        return outs if self.merge_mode is None else out

    def _get_weights(self) -> list[torch.Tensor]:
        return self.forward_layer._get_weights() + self.backward_layer._get_weights()

    def _set_weights(self, weights: list[torch.Tensor]) -> None:
        n = len(self.forward_layer._get_weights())
        self.forward_layer._set_weights(weights[:n])
        self.backward_layer._set_weights(weights[n:])
