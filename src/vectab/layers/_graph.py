"""Symbolic inputs for Keras' functional API: :class:`Input` and the :class:`Node` a layer call
on it returns.

``Input(shape=(10,), dtype="int32")`` is a :class:`Node` with no layer: a placeholder carrying
``shape`` (batch first, None), ``dtype`` and ``name``. Calling a layer on a ``Node`` (or on a list
of nodes, for the merge layers) builds the layer from the node's shape, computes nothing, and
returns a new ``Node`` recording ``layer`` and its ``inputs`` (the nodes it was called on) with
the output ``shape`` from ``layer.compute_output_shape``. A layer with several outputs
(``LSTM(return_state=True)``) returns a list of nodes sharing ``layer`` and ``inputs``, with
``index`` 0, 1, ... (run the layer once for all of them). A model walks the graph from its
output nodes back to its ``Input`` nodes (:func:`trace`) and, to run it, calls each
``node.layer`` on its inputs' values in that order, taking output ``index`` when the layer
returns a list, and passing masks along with ``layer.compute_mask``.

Example:
    >>> from vectab.layers import Input, Embedding, LSTM, Dense
    >>> ids = Input(shape=(10,), dtype="int32")
    >>> x = Embedding(50, 8, mask_zero=True)(ids)
    >>> out = Dense(1)(LSTM(4)(x))
    >>> out.shape
    (None, 1)
    >>> [type(node.layer).__name__ for node in trace([ids], [out])]
    ['Input', 'Embedding', 'LSTM', 'Dense']
"""

from __future__ import annotations

from typing import Any

__all__ = ["Input", "Node", "call_symbolic", "is_symbolic", "trace"]


class Node:
    """A symbolic tensor: the output ``index`` of ``layer`` called on ``inputs`` (Keras'
    ``KerasTensor``). ``layer`` is None for an :class:`Input`."""

    def __init__(
        self,
        layer: Any,
        inputs: list[Node],
        shape: tuple[int | None, ...],
        *,
        dtype: str = "float32",
        index: int = 0,
        name: str | None = None,
    ) -> None:
        self.layer = layer
        self.inputs = inputs
        self.shape = tuple(shape)
        self.dtype = dtype
        self.index = index
        self.name = name if name is not None else getattr(layer, "name", None)

    def __repr__(self) -> str:
        owner = "Input" if self.layer is None else type(self.layer).__name__
        return f"<Node {owner} shape={self.shape} dtype={self.dtype}>"


class Input(Node):
    """A model input placeholder (Keras' ``Input``): ``shape`` without the batch dimension.

    Example:
        >>> Input(shape=(10,), dtype="int32")
        <Node Input shape=(None, 10) dtype=int32>
    """

    def __init__(
        self,
        shape: Any = None,
        batch_size: int | None = None,
        dtype: str | None = None,
        name: str | None = None,
    ) -> None:
        if isinstance(shape, int) and not isinstance(shape, bool):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not all(
            s is None or (isinstance(s, int) and not isinstance(s, bool) and s > 0) for s in shape
        ):
            raise TypeError(
                f"`shape` must be a tuple of positive sizes (None for unknown), without the "
                f"batch dimension; got {type(shape).__name__}: {shape!r}."
            )
        if dtype is not None and not isinstance(dtype, str):
            dtype = str(dtype).removeprefix("torch.")
        super().__init__(
            None, [], (batch_size, *shape), dtype=dtype or "float32", name=name or "input"
        )
        self.layer = self  # the node's own layer: trace() reports it as type Input

    def get_config(self) -> dict[str, Any]:
        """``shape``/``batch_size``/``dtype``/``name``, JSON-safe."""
        return {"shape": list(self.shape[1:]), "batch_size": self.shape[0], "dtype": self.dtype,
                "name": self.name}


def is_symbolic(x: Any) -> bool:
    """True for a :class:`Node` or a non-empty list of them."""
    if isinstance(x, (list, tuple)):
        return bool(x) and all(isinstance(v, Node) for v in x)
    return isinstance(x, Node)


def call_symbolic(layer: Any, x: Any, mask: Any = None) -> Node | list[Node]:
    """Record ``layer(x)`` on symbolic input(s) ``x``: build the layer, return its node(s)."""
    inputs = list(x) if isinstance(x, (list, tuple)) else [x]
    shape: Any = [n.shape for n in x] if isinstance(x, (list, tuple)) else x.shape
    if not layer.built:
        layer.build(shape)
        layer.built = True
    out_shape = layer.compute_output_shape(shape)
    dtype = getattr(layer, "output_dtype", "float32")
    if isinstance(out_shape, list):
        return [
            Node(layer, inputs, tuple(s), dtype=dtype, index=i) for i, s in enumerate(out_shape)
        ]
    return Node(layer, inputs, tuple(out_shape), dtype=dtype)


def trace(inputs: list[Node], outputs: list[Node]) -> list[Node]:
    """The nodes between ``inputs`` and ``outputs`` in an order that computes each node after
    its inputs (the inputs first). Raises ValueError when an output needs an input not given."""
    order: list[Node] = []
    seen: set[int] = set()
    given = {id(n) for n in inputs}

    def visit(node: Node) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, Input):
            if id(node) not in given:
                raise ValueError(
                    f"The graph needs the input {node!r}, which is not among `inputs`; "
                    f"pass it to the model's inputs."
                )
        for parent in node.inputs:
            visit(parent)
        order.append(node)

    for node in inputs:
        visit(node)
    for node in outputs:
        visit(node)
    return order
