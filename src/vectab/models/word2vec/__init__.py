"""word2vec (skip-gram and CBOW, negative sampling and hierarchical softmax), gensim's meanings.

``vectab.models.Word2Vec`` is a drop-in for ``gensim.models.Word2Vec``. ``RULE_DEFAULT``,
``RULE_DISCARD`` and ``RULE_KEEP`` are what a ``trim_rule`` returns (gensim.utils' values).

The package's modules, building blocks first:

- ``corpus``: :class:`LineSentences` (text files), corpus checks, jobs of word ids;
- ``vocab``: counting, pruning (``trim_rule``), sorting, downsampling thresholds, the noise
  table, the Huffman tree of hierarchical softmax (gensim's rules);
- ``state``: :class:`~vectab.models.word2vec.state.TrainState`, the one value the kernels and
  the epoch loop receive (they never read the model's private attributes);
- ``_numba`` / ``_torch``: the CPU kernel (word2vec.c's per-pair SGD) and the torch kernel;
- ``train``: the epoch loop (jobs, learning-rate schedule, threads, progress events);
- ``io``: the model file (safetensors + JSON header);
- ``model``: the :class:`Word2Vec` class that ties them together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vectab._lazy import attach

if TYPE_CHECKING:  # what a type checker sees; tests/test_public_api.py keeps it = _EXPORTS
    from vectab.models.word2vec.corpus import LineSentences as LineSentences
    from vectab.models.word2vec.model import Word2Vec as Word2Vec
    from vectab.models.word2vec.vocab import RULE_DEFAULT as RULE_DEFAULT
    from vectab.models.word2vec.vocab import RULE_DISCARD as RULE_DISCARD
    from vectab.models.word2vec.vocab import RULE_KEEP as RULE_KEEP

_EXPORTS: dict[str, str] = {
    "Word2Vec": "vectab.models.word2vec.model",
    "LineSentences": "vectab.models.word2vec.corpus",
    "RULE_DEFAULT": "vectab.models.word2vec.vocab",
    "RULE_DISCARD": "vectab.models.word2vec.vocab",
    "RULE_KEEP": "vectab.models.word2vec.vocab",
}

__getattr__, __dir__, __all__ = attach(__name__, _EXPORTS)
