"""Keras' layers as plain torch modules (``from vectab.layers import Dense, LSTM, ...``).

Shapes are inferred on the first call, masks propagate as in Keras 3, ``get_weights`` /
``set_weights`` use Keras' order and layout. The protocol: :mod:`vectab.layers._base`; the
functional API's symbolic nodes: :mod:`vectab.layers._graph`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.layers._base import ACTIVATIONS as ACTIVATIONS
    from vectab.layers._base import Layer as Layer
    from vectab.layers._base import activation as activation
    from vectab.layers._base import deserialize as deserialize
    from vectab.layers._base import serialize as serialize
    from vectab.layers._graph import Input as Input
    from vectab.layers._graph import Node as Node
    from vectab.layers._graph import trace as trace
    from vectab.layers.conv import Conv1D as Conv1D
    from vectab.layers.conv import GlobalAveragePooling1D as GlobalAveragePooling1D
    from vectab.layers.conv import GlobalMaxPooling1D as GlobalMaxPooling1D
    from vectab.layers.conv import MaxPooling1D as MaxPooling1D
    from vectab.layers.core import Activation as Activation
    from vectab.layers.core import Dense as Dense
    from vectab.layers.core import Dropout as Dropout
    from vectab.layers.core import Embedding as Embedding
    from vectab.layers.core import Flatten as Flatten
    from vectab.layers.core import Reshape as Reshape
    from vectab.layers.core import SpatialDropout1D as SpatialDropout1D
    from vectab.layers.recurrent import GRU as GRU
    from vectab.layers.recurrent import LSTM as LSTM
    from vectab.layers.recurrent import Bidirectional as Bidirectional
    from vectab.layers.recurrent import SimpleRNN as SimpleRNN
    from vectab.layers.wrappers import CRF as CRF
    from vectab.layers.wrappers import Add as Add
    from vectab.layers.wrappers import Concatenate as Concatenate
    from vectab.layers.wrappers import TimeDistributed as TimeDistributed
    from vectab.layers.wrappers import concatenate as concatenate

_EXPORTS: dict[str, str] = {
    "Layer": "vectab.layers._base",
    "ACTIVATIONS": "vectab.layers._base",
    "activation": "vectab.layers._base",
    "serialize": "vectab.layers._base",
    "deserialize": "vectab.layers._base",
    "Input": "vectab.layers._graph",
    "Node": "vectab.layers._graph",
    "trace": "vectab.layers._graph",
    "Embedding": "vectab.layers.core",
    "Dense": "vectab.layers.core",
    "Flatten": "vectab.layers.core",
    "Reshape": "vectab.layers.core",
    "Activation": "vectab.layers.core",
    "Dropout": "vectab.layers.core",
    "SpatialDropout1D": "vectab.layers.core",
    "LSTM": "vectab.layers.recurrent",
    "GRU": "vectab.layers.recurrent",
    "SimpleRNN": "vectab.layers.recurrent",
    "Bidirectional": "vectab.layers.recurrent",
    "Conv1D": "vectab.layers.conv",
    "MaxPooling1D": "vectab.layers.conv",
    "GlobalMaxPooling1D": "vectab.layers.conv",
    "GlobalAveragePooling1D": "vectab.layers.conv",
    "TimeDistributed": "vectab.layers.wrappers",
    "Concatenate": "vectab.layers.wrappers",
    "concatenate": "vectab.layers.wrappers",
    "Add": "vectab.layers.wrappers",
    "CRF": "vectab.layers.wrappers",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
