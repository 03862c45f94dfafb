"""The one registry of task models: model_type -> class, and each class's config class."""

from __future__ import annotations

from vectab.models import MODEL_TYPES, SequenceTagger, TabularEmbeddings, TextClassifier
from vectab.models.classifier import ClassifierConfig
from vectab.models.tabular import TabularConfig
from vectab.models.tagger import TaggerConfig


def test_every_task_model_is_registered_under_its_model_type_with_its_config_class():
    assert MODEL_TYPES == {
        "TextClassifier": TextClassifier,
        "SequenceTagger": SequenceTagger,
        "TabularEmbeddings": TabularEmbeddings,
    }
    assert {cls.config_class for cls in MODEL_TYPES.values()} == {
        ClassifierConfig, TaggerConfig, TabularConfig
    }
    for name, cls in MODEL_TYPES.items():
        assert cls.model_type == name


def test_a_config_read_through_the_registry_builds_the_same_model():
    config = ClassifierConfig(50, 8, 3)
    cls = MODEL_TYPES["TextClassifier"]
    again = cls.config_class.from_dict(config.to_dict())
    assert again == config
    assert cls(again).config == config
