"""The options of one training run, written once: CLI, pipeline keywords and ``run.json``.

:class:`ClassifierRun` and :class:`TaggerRun` hold every option of ``vectab train
classifier|tagger`` once: name, type, default, help text, the rule it must follow, and the
model-config field it sets (``metadata["model"]``). The three views are built from them:

- ``vectab train classifier|tagger``: the typer options are generated from the fields
  (:mod:`vectab.cli.train_cmds`); the flag is ``--`` + the name with dashes unless
  ``metadata["flag"]`` says otherwise (``early_stopping_patience`` is ``--patience``).
- :func:`~vectab.train.pipeline.train_classifier` / ``train_tagger``: their keywords are the
  fields (``**options`` builds the run config, so a name or default exists in one place).
- ``run.json``: ``{"options": run.to_dict(), "history": ..., "best_epoch": ..., "metrics":
  ...}``; :meth:`RunConfig.from_dict` reads ``options`` back (strict: an unknown key or a value
  of the wrong type is an error naming the key).

Architecture options (``encoder``, ``hidden_size``, ``dropout``, ``projection``,
``constraints``) are the model configs' (:class:`~vectab.models.ClassifierConfig`,
:class:`~vectab.models.TaggerConfig`): the run config passes them on by name and the model
config checks them, at once, before any file is read. tests/train/test_run_config.py keeps
their defaults equal to the model configs', except where the CLI's defaults are a measured
recipe: the tagger reads characters and casing (``chars="cnn"``, ``casing=True``; WNUT-17 in
benchmarks/bench_quality.py), while ``TaggerConfig`` stays words-only.

Presets: ``PRESETS`` on each run class names measured recipes (one dict per run class, so a
re-measured value is one edit). ``preset="sst2-like"`` (``--preset sst2-like``) fills the
options the caller did not give from the recipe; an option given always wins
(:meth:`RunConfig.apply_preset`, used by :meth:`RunConfig.from_options`, hence by the pipeline
keywords and the CLI, which passes on only the options typed). The run keeps ``preset`` and
every resolved value, so ``run.json`` records both; the constructor and
:meth:`RunConfig.from_dict` take the values as they are (no second merge).

This module imports no torch (the CLI builds its options from it at start-up).

Example:
    >>> run = ClassifierRun("train.csv", encoder="mean", epochs=3)
    >>> run.epochs, run.early_stopping_patience, run.model_options()["encoder"]
    (3, 2, 'mean')
    >>> RunConfig.from_dict(run.to_dict()) == run
    True
    >>> run = ClassifierRun.from_options("train.csv", {"preset": "sst2-like", "epochs": 3,
    ...                                                "vectors": "glove.6B.50d.txt"})
    >>> run.preset, run.epochs, run.projection, run.ema
    ('sst2-like', 3, (256,), 0.999)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from typing import Any, ClassVar, TypeVar

# vectab._checks (numpy) and vectab.models are imported where used: the CLI reads these
# fields to build its options, and `vectab --help` must not pay for numpy.

__all__ = ["RunConfig", "ClassifierRun", "TaggerRun", "FREEZE_CHOICES", "OOV_INIT_CHOICES"]

R = TypeVar("R", bound="RunConfig")

#: ``freeze`` option -> ``Embedding.from_vectors(freeze=...)``.
FREEZE_CHOICES = {"pretrained": "pretrained", "all": True, "none": False}
OOV_INIT_CHOICES = ("random", "zeros", "mean")
#: ``chars`` option (None: words only); the model configs' CHAR_KINDS.
CHAR_CHOICES = ("cnn", "lstm")

FREEZE_HELP = (
    "Pretrained rows: 'pretrained' = fixed (new words learn), 'all' = whole table fixed, 'none'."
)


def option(default: Any = dataclasses.MISSING, *, help: str, flag: str | None = None,
           minimum: int | None = None, choices: Any = None, model: str | None = None,
           path: bool = False, cli_required: bool = False) -> Any:
    """A run-config field: its default and everything the CLI and the checks need.

    Args:
        help: the CLI help text.
        flag: the CLI flag (default ``--`` + the field name with dashes).
        minimum: smallest int allowed (the CLI refuses less at parse time, the run config too).
        choices: allowed values of a string option.
        model: the model-config field the value is passed to.
        path: a file or directory (kept as ``str``; the CLI parses a ``Path``).
        cli_required: the CLI requires the option although the library has a default.
    """
    metadata = {"help": help, "flag": flag, "minimum": minimum, "choices": choices,
                "model": model, "path": path, "cli_required": cli_required}
    if isinstance(default, tuple | list):
        return dataclasses.field(default=tuple(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def flag_of(field: dataclasses.Field) -> str:
    """The CLI flag of a run-config field, e.g. ``--batch-size``."""
    return field.metadata.get("flag") or "--" + field.name.replace("_", "-")


def _preset_help(about: dict[str, str], presets: dict[str, dict[str, Any]]) -> str:
    """The ``--preset`` help: each preset, what it is for and the options it sets, as flags."""
    flags = {f.name: flag_of(f) for f in dataclasses.fields(RunConfig)}
    parts = []
    for name, values in presets.items():
        shown = []
        for key, value in values.items():
            flag = flags.get(key) or "--" + key.replace("_", "-")
            if isinstance(value, bool):
                shown.append(flag if value else "--no-" + flag[2:])
            elif isinstance(value, tuple):
                shown += [f"{flag} {v}" for v in value]
            else:
                shown.append(f"{flag} {'none' if value is None else value}")
        parts.append(f"{name}: {about[name]} ({' '.join(shown)})")
    return ("A named recipe for the options not given (an option given always wins): "
            + "; ".join(parts) + ".")


def _check_lr(value: Any) -> None:
    from vectab._checks import shown

    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`lr` must be a number > 0, got {type(value).__name__}: {shown(value)}; "
                        "e.g. lr=1e-3")
    if not 0 < value < math.inf:
        raise ValueError(f"`lr` must be a number > 0, got {value!r}; e.g. lr=1e-3")


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """The options both training recipes share; see :class:`ClassifierRun`, :class:`TaggerRun`.

    ``train`` is the one positional field; the rest are keywords with defaults.
    """

    task: ClassVar[str] = ""
    model_config: ClassVar[str] = ""  # the vectab.models class the "model" fields go to
    #: preset name -> the option values it sets (see :meth:`apply_preset`)
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {}

    train: str = option(help="Training file.", path=True)
    valid: str | None = option(None, help="Validation file (early stopping).", path=True)
    vectors: str | None = option(None, help="Pretrained vectors file.", path=True)
    freeze: str = option("pretrained", help=FREEZE_HELP, choices=tuple(FREEZE_CHOICES))
    oov_init: str = option("random", help="Rows of words missing from --vectors: random, zeros, "
                           "mean.", choices=OOV_INIT_CHOICES)
    extend_vocab: bool = option(
        False, help="Also give ids to the vectors' words absent from the training file."
    )
    embedding_dim: int = option(100, help="Table width without --vectors.", minimum=1)
    chars: str | None = option(
        None, help="Also encode each word's characters: cnn or lstm (none: words only).",
        choices=CHAR_CHOICES, model="chars",
    )
    char_dim: int = option(30, help="Size of each character vector (with --chars).", minimum=1,
                           model="char_dim")
    char_out_dim: int = option(50, help="Size of a word's character encoding (with --chars).",
                               minimum=1, model="char_out_dim")
    casing: bool = option(False, help="Also embed each word's casing (lower, upper, title, "
                          "digits...).", model="casing")
    casing_dim: int = option(8, help="Size of the casing vector (with --casing).", minimum=1,
                             model="casing_dim")
    epochs: int = option(5, help="Maximum number of epochs.", minimum=1)
    batch_size: int = option(32, help="Examples per step (per process).", minimum=1)
    lr: float = option(1e-3, help="Learning rate.")
    num_words: int | None = option(None, help="Keep the N-1 most frequent words.", minimum=1)
    lower: bool = option(True, help="Lower-case the text.")
    early_stopping_patience: int | None = option(
        2, help="Early stopping patience (epochs).", flag="--patience", minimum=0
    )
    ema: float | None = option(
        None, help="Validate and keep a moving average of the weights (decay, e.g. 0.999; 0 = "
        "off)."
    )
    refit: bool = option(
        False, help="After early stopping on --valid, train a fresh model on train + valid for "
        "the best epoch count and save that one (its reported numbers are the first run's)."
    )
    seed: int = option(0, help="Random seed (the same seed repeats a run).")
    device: str = option("auto", help="auto, cpu, cuda, cuda:N.")
    out: str | None = option(None, help="Directory to save the model to.", path=True,
                             cli_required=True)

    def __post_init__(self) -> None:
        if type(self) is RunConfig:
            raise TypeError("RunConfig is abstract: build a ClassifierRun or a TaggerRun")
        for field in dataclasses.fields(self):
            self._check(field, getattr(self, field.name))
        self._check_model_options()
        if self.refit and self.valid is None:
            by = f" (set by preset {self.preset!r})" if getattr(self, "preset", None) else ""
            raise ValueError(
                f"`refit`{by} trains again on train + valid for the epochs the validation "
                "chose; it needs `valid` (--valid FILE), got valid=None; or pass refit=False "
                "(--no-refit)"
            )

    def _check(self, field: dataclasses.Field, value: Any) -> None:
        """Check one field by its declaration (type, minimum, choices); paths become str."""
        from vectab._checks import check_bool, check_int, shown

        name, meta = field.name, field.metadata
        optional = "None" in str(field.type)
        if value is None and optional:
            return
        if meta["path"]:
            if not isinstance(value, str | os.PathLike):
                raise TypeError(f"`{name}` must be a file path (str or Path), got "
                                f"{type(value).__name__}: {shown(value)}")
            object.__setattr__(self, name, os.fspath(value))
        elif name == "lr":
            _check_lr(value)
        elif name == "ema":
            from vectab._checks import check_float

            if not isinstance(value, bool) and value == 0:  # 0 = off (the CLI has no None)
                object.__setattr__(self, name, None)
                return
            check_float(value, "ema", minimum=0, maximum=1, min_open=True, max_open=True,
                        fix=" Pass a decay such as 0.999, or 0 / None for no average.")
        elif meta["model"]:
            if str(field.type).startswith("tuple"):
                if not isinstance(value, tuple | list):
                    raise TypeError(f"`{name}` must be a list of ints, got "
                                    f"{type(value).__name__}: {shown(value)}")
                object.__setattr__(self, name, tuple(value))
            return  # checked by the model config (_check_model_options)
        elif field.type.startswith("bool"):
            check_bool(value, name)
        elif field.type.startswith("int"):
            if meta["minimum"] is not None:
                check_int(value, name, minimum=meta["minimum"], allow_none=optional)
            elif isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise TypeError(f"`{name}` must be an int, got {type(value).__name__}: "
                                f"{shown(value)}")
        elif field.type.startswith("float"):
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise TypeError(f"`{name}` must be a number, got {type(value).__name__}: "
                                f"{shown(value)}")
        elif field.type.startswith("str"):
            if not isinstance(value, str):
                raise TypeError(f"`{name}` must be a str, got {type(value).__name__}: "
                                f"{shown(value)}")
            if meta["choices"] and value not in meta["choices"]:
                raise ValueError(f"`{name}` must be one of {sorted(meta['choices'])}, got "
                                 f"{value!r}")

    def _check_model_options(self) -> None:
        """Let the model config check its fields now, before any file is read."""

    def model_options(self) -> dict[str, Any]:
        """The values of the fields that go to the model config, by model-config field name."""
        return {f.metadata["model"]: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.metadata.get("model")}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"task": ..., field: value}``, tuples as lists."""
        out: dict[str, Any] = {"task": self.task}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls: type[R], data: Any) -> R:
        """Read :meth:`to_dict`'s output back (``run.json``'s ``options``).

        On :class:`RunConfig` the ``task`` key picks the class. Strict: an unknown key, a
        missing ``train`` or a value of the wrong type raises, naming the key; a key left out
        takes its default.
        """
        if not isinstance(data, dict):
            raise TypeError(f"`data` must be a dict from to_dict(), got {type(data).__name__}")
        data = dict(data)
        task = data.pop("task", None)
        kinds = {sub.task: sub for sub in (ClassifierRun, TaggerRun)}
        target: type[RunConfig] = cls
        if cls is RunConfig:
            if task not in kinds:
                raise ValueError(f"`task` must be one of {sorted(kinds)}, got {task!r}")
            target = kinds[task]
        elif task is not None and task != cls.task:
            raise ValueError(f"`task` is {task!r} but {cls.__name__} is {cls.task!r}")
        names = [f.name for f in dataclasses.fields(target)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"{target.__name__}.from_dict: unknown keys {unknown}; known keys "
                             f"are {names}")
        if "train" not in data:
            raise ValueError(f"{target.__name__}.from_dict: missing key 'train'")
        from vectab._checks import shown
        from vectab.models._config import type_problem

        problem = type_problem(target, data)
        if problem is not None:
            name, expected, value = problem
            raise TypeError(f"{target.__name__}.from_dict: `{name}` must be {expected}, got "
                            f"{type(value).__name__}: {shown(value)}")
        return target(**data)  # type: ignore[return-value]

    @classmethod
    def apply_preset(cls, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` with ``options["preset"]``'s values filling the options not given.

        An option given (a key of ``options``, whatever its value, ``None`` included) always
        wins over the preset; no ``preset`` (or ``None``) returns ``options`` as they are.

        Example:
            >>> ClassifierRun.apply_preset({"preset": "sst2-like", "epochs": 3})["epochs"]
            3
        """
        name = options.get("preset")
        if not isinstance(name, str):  # None: no preset; another type: the field check says
            return dict(options)
        if name not in cls.PRESETS:
            raise ValueError(f"`preset` must be one of {sorted(cls.PRESETS)}, got {name!r}; or "
                             "give no preset")
        return {**cls.PRESETS[name], **options}

    @classmethod
    def from_options(cls: type[R], train: Any, options: dict[str, Any]) -> R:
        """Build from the pipeline's keywords, the preset (if any) filling the ones not given
        (:meth:`apply_preset`); an unknown keyword raises TypeError naming it."""
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = sorted(set(options) - set(names[1:]))
        if unknown:
            raise TypeError(f"unknown option(s) {unknown}; the options are {names[1:]}")
        return cls(train, **cls.apply_preset(options))


@dataclasses.dataclass(frozen=True)
class ClassifierRun(RunConfig):
    """The options of :func:`~vectab.train.pipeline.train_classifier` (``vectab train
    classifier``); the architecture ones go to :class:`~vectab.models.ClassifierConfig`."""

    task: ClassVar[str] = "classification"
    model_config: ClassVar[str] = "ClassifierConfig"
    # the measured recipes (benchmarks/bench_quality.py); the defaults stay those of a small
    # file: sst2-like's 2 epochs suit 67k examples, not a user's 1,000 rows
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        "sst2-like": {"freeze": "pretrained", "extend_vocab": True, "projection": (256,),
                      "hidden_size": 256, "ema": 0.999, "epochs": 2, "dropout": 0.5,
                      "batch_size": 64, "lr": 2e-3, "early_stopping_patience": 2,
                      "oov_init": "zeros", "chars": "cnn"},
    }

    preset: str | None = option(None, help=_preset_help(
        {"sst2-like": "sentence classification with frozen GloVe on ~10k+ examples (the "
                      "README's SST-2 row)"}, PRESETS), choices=tuple(PRESETS))

    train: str = option(help="Training file: CSV, TSV, JSONL or Parquet.", path=True)
    text_col: str = option("text", help="Name of the text column.")
    label_col: str = option("label", help="Name of the label column.")
    encoder: str = option("bilstm", help="bilstm, lstm, bigru, gru, cnn, mean, max.",
                          model="encoder")
    hidden_size: int = option(128, help="RNN hidden size per direction.", minimum=1,
                              model="hidden_size")
    projection: tuple[int, ...] = option(
        (), help="Width of a per-word ReLU layer before the encoder (repeat for more).",
        model="projection",
    )
    dropout: float = option(0.5, help="Dropout before the output layer.", model="dropout")
    max_len: int | None = option(None, help="Keep the first N tokens of a text.", minimum=1)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.preset is not None and self.extend_vocab and self.vectors is None:
            raise ValueError(
                f"`preset` {self.preset!r} trains on pretrained `vectors` (it sets "
                "`extend_vocab`) and none were given; pass `vectors` (e.g. GloVe), or turn "
                "`extend_vocab` off"
            )
        if self.text_col == self.label_col:
            raise ValueError(
                f"`text_col` and `label_col` are both {self.text_col!r}: the label would be the "
                "text itself; pass the column of the labels as label_col (--label-col)"
            )

    def _check_model_options(self) -> None:
        from vectab.models.classifier import ClassifierConfig

        # num_chars comes from the training file; any valid size checks the other fields
        ClassifierConfig(1, self.embedding_dim, 2, num_chars=3, **self.model_options())


@dataclasses.dataclass(frozen=True)
class TaggerRun(RunConfig):
    """The options of :func:`~vectab.train.pipeline.train_tagger` (``vectab train tagger``);
    the architecture ones go to :class:`~vectab.models.TaggerConfig`."""

    task: ClassVar[str] = "tagging"
    model_config: ClassVar[str] = "TaggerConfig"
    # the WNUT-17 recipe written out (today the same as the defaults below, which may change)
    PRESETS: ClassVar[dict[str, dict[str, Any]]] = {
        "wnut17-like": {"lower": True, "extend_vocab": True, "chars": "cnn", "casing": True,
                        "hidden_size": 128, "lr": 5e-3, "epochs": 30, "batch_size": 16,
                        "early_stopping_patience": 5, "dropout": 0.5, "ema": 0.99,
                        "refit": True},
    }

    preset: str | None = option(None, help=_preset_help(
        {"wnut17-like": "named entities in noisy text (tweets) with frozen GloVe, characters "
                        "and casing (the README's WNUT-17 row)"}, PRESETS),
        choices=tuple(PRESETS))

    train: str = option(help="Training file: CoNLL/BIO columns.", path=True)
    token_col: int = option(0, help="Column of the tokens (0-based).")
    tag_col: int = option(-1, help="Column of the tags (-1 = last).")
    hidden_size: int = option(128, help="LSTM hidden size per direction.", minimum=1,
                              model="hidden_size")
    dropout: float = option(0.5, help="Dropout.", model="dropout")
    constraints: str | None = option(
        "auto", help="CRF transitions to forbid: auto (the tags' scheme), BIO, BIOES or none.",
        model="constraints",
    )
    # the defaults are the measured WNUT-17 recipe (benchmarks/bench_quality.py): the GloVe
    # words absent from training in the table (dev entity F1 0.43 with them, 0.22 without),
    # characters and casing, the GloVe lookup lower-cased (the characters and the casing see
    # the tokens as written), lr 5e-3 on batches of 16 (the old 1e-3 on 32 left dev entity
    # F1 at 0.000 after 2 epochs, so patience 3 ended the run on near-untrained weights:
    # 0.0024 test F1)
    extend_vocab: bool = option(
        True, help="Also give ids to the vectors' words absent from the training file (the "
        "test set's new entities keep their vectors; nothing to add without --vectors)."
    )
    chars: str | None = option(
        "cnn", help="Also encode each word's characters: cnn or lstm (none: words only). The "
        "tagger recipe's default; TaggerConfig's is words only.",
        choices=CHAR_CHOICES, model="chars",
    )
    casing: bool = option(True, help="Also embed each word's casing (lower, upper, title, "
                          "digits...). On in the tagger recipe; off in TaggerConfig.",
                          model="casing")
    epochs: int = option(30, help="Maximum number of epochs.", minimum=1)
    batch_size: int = option(16, help="Examples per step (per process).", minimum=1)
    lr: float = option(5e-3, help="Learning rate.")
    lower: bool = option(True, help="Lower-case the tokens' word ids (not their characters).")
    early_stopping_patience: int | None = option(
        5, help="Early stopping patience (epochs).", flag="--patience", minimum=0
    )

    def _check_model_options(self) -> None:
        from vectab.models.tagger import TaggerConfig

        TaggerConfig(1, self.embedding_dim, ["O", "B-X"], num_chars=3, **self.model_options())
