"""``MODEL_TYPES``: a saved model's ``model_type`` string -> its class, for loading.

The one registry of task models: each class names its ``model_type`` and its ``config_class``
(the config that ``config.json``'s ``model_config`` is read into).
"""

from __future__ import annotations

from vectab.models.classifier import TextClassifier
from vectab.models.tabular import TabularEmbeddings
from vectab.models.tagger import SequenceTagger

MODEL_TYPES: dict[str, type] = {
    cls.model_type: cls for cls in (TextClassifier, SequenceTagger, TabularEmbeddings)
}
