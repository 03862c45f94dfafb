"""The functional graph's layer order (Keras 3's) and the text of ``model.summary()``.

Example:
    >>> print(summary_text("m", [("dense (Dense)", "(None, 1)", "4")], []))  # doctest: +ELLIPSIS
    Model: "m"
    ┏━━━...
    │ dense (Dense)                  │ (None, 1)               │             4 │
    └...
     Total params: 0 (0.00 B)
     Trainable params: 0 (0.00 B)
     Non-trainable params: 0 (0.00 B)
"""

from __future__ import annotations

from typing import Any

__all__ = ["keras_layer_order", "summary_text"]


def keras_layer_order(nodes: list[Any], outputs: list[Any]) -> list[Any]:
    """The layers (and Inputs) in Keras 3's order (``ops.function.map_graph``): by depth from
    the inputs to the outputs, ties broken by a pre-order walk from the outputs."""
    def call(node: Any) -> tuple[int, ...]:  # one Keras node per layer call
        return (id(node.layer), *(id(p) for p in node.inputs))

    index: dict[int, int] = {}
    done: set[tuple[int, ...]] = set()

    def walk(node: Any) -> None:
        if call(node) in done:
            return
        done.add(call(node))
        index.setdefault(id(node.layer), len(index))
        for parent in node.inputs:
            walk(parent)

    for node in outputs:
        walk(node)
    node_depth: dict[tuple[int, ...], int] = {}
    layer_depth: dict[int, int] = {}
    layers: dict[int, Any] = {}
    by_call = {call(n): n for n in nodes}
    for key in reversed(list(by_call)):
        node = by_call[key]
        depth = max(node_depth.setdefault(key, 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[key] = depth
        layers[id(node.layer)] = node.layer
        for parent in node.inputs:
            node_depth[call(parent)] = max(depth + 1, node_depth.get(call(parent), 0))
    return sorted(layers.values(), key=lambda la: (-layer_depth[id(la)], index.get(id(la), -1)))


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB"):
        if n_bytes < 1024:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _weights(layer: Any) -> list[Any]:
    if hasattr(layer, "_get_weights"):
        return layer._get_weights() if getattr(layer, "built", True) else []
    return list(layer.parameters())  # a plain torch module in a Sequential


def summary_text(name: str, rows: list[tuple[str, str, str]], layers: list[Any]) -> str:
    """Keras' table (``Layer (type)``, ``Output Shape``, ``Param #``) and the totals, float32
    sizes (``Total params: 433 (1.69 KB)``)."""
    widths = (max(32, *(len(r[0]) + 2 for r in rows)), max(25, *(len(r[1]) + 2 for r in rows)),
              max(15, *(len(r[2]) + 2 for r in rows)))
    heads = ("Layer (type)", "Output Shape", "Param #")
    line = "┃ " + " ┃ ".join(
        h.ljust(w - 2) if i < 2 else h.rjust(w - 2)
        for i, (h, w) in enumerate(zip(heads, widths, strict=True))) + " ┃"
    out = [f'Model: "{name}"', "┏" + "┳".join("━" * w for w in widths) + "┓", line,
           "┡" + "╇".join("━" * w for w in widths) + "┩"]
    for i, (a, b, c) in enumerate(rows):
        out.append(f"│ {a.ljust(widths[0] - 2)} │ {b.ljust(widths[1] - 2)} │ "
                   f"{c.rjust(widths[2] - 2)} │")
        if i < len(rows) - 1:
            out.append("├" + "┼".join("─" * w for w in widths) + "┤")
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    total = trainable = 0
    for layer in layers:
        for w in _weights(layer):
            total += w.numel()
            trainable += w.numel() if w.requires_grad else 0
    for label, n in (("Total", total), ("Trainable", trainable),
                     ("Non-trainable", total - trainable)):
        out.append(f" {label} params: {n:,} ({_size(n * 4)})")
    return "\n".join(out)
