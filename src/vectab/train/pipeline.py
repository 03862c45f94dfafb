"""From files to a saved model in one call: what ``vectab train classifier|tagger`` runs.

Each function reads the training (and validation) file, fits a Tokenizer, builds the
Embedding (from pretrained vectors, partly frozen, when ``vectors`` is given), the model and a
:class:`~vectab.engine.trainer.Trainer`, trains, and saves a model directory (see
:mod:`vectab.train.saving`) with a ``run.json`` of the options, history and final metrics.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import torch

from vectab._fileio import check_output
from vectab.engine.callbacks import History
from vectab.train.saving import LoadedModel, check_save_target, save_model, token_ids

__all__ = ["TrainResult", "FREEZE_CHOICES", "train_classifier", "train_tagger"]

FREEZE_CHOICES = {"pretrained": "pretrained", "all": True, "none": False}
OOV_TOKEN = "<OOV>"


# -- checks made before any table is built or any epoch runs ------------------------------------


def _check_out_dir(out: str | os.PathLike[str] | None) -> None:
    """Refuse an ``out`` that cannot become a model directory (before hours of training)."""
    if out is None:
        return
    check_output(out, option="`out`", kind="dir")
    # the model replaces `out` whole: a folder of other files is refused
    check_save_target(Path(out))


def _check_sizes(**values: Any) -> None:
    """Positive ints (None allowed where the option is optional) and a positive finite lr."""
    for name, value in values.items():
        if name == "lr":
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0 < value < float("inf")
            ):
                raise ValueError(f"`lr` (--lr) must be a number > 0, got {value!r}; e.g. lr=1e-3")
        elif name == "dropout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                raise ValueError(f"`dropout` (--dropout) must be in [0, 1), got {value!r}")
        elif value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            flag = "--" + name.replace("_", "-")
            raise ValueError(f"`{name}` ({flag}) must be a positive int, got {value!r}")


def _check_labels(texts: list[str], labels: list, path: Any, label_col: str) -> None:
    """A classifier's training file must have rows and at least two classes."""
    if not texts:
        raise ValueError(
            f"{path}: no rows (only a header?); a classifier needs labelled examples, one per row"
        )
    classes = set(labels)
    if len(classes) < 2:
        raise ValueError(
            f"{path}: every row has the label {next(iter(classes))!r} in column {label_col!r}; "
            "a classifier needs at least 2 classes: add examples of another class (or pick the "
            "right column with label_col / --label-col)"
        )


@dataclasses.dataclass
class TrainResult:
    """What a pipeline returns: the trained model, its history and final validation metrics."""

    model: LoadedModel
    history: History
    metrics: dict[str, float]
    coverage: Any = None
    out: Path | None = None


def _embedding(tokenizer: Any, *, vectors: str | os.PathLike[str] | None, freeze: str,
               embedding_dim: int, seed: int, oov_init: str = "random",
               extend_vocab: bool = False) -> tuple[Any, Any]:
    """The table for ``tokenizer`` and the coverage report of the training vocabulary.

    With ``extend_vocab`` the vectors' words that the tokenizer can produce are added to it
    first (after the training words, whose ids do not change); the report still describes the
    training words only.
    """
    from vectab.nn import Embedding

    if freeze not in FREEZE_CHOICES:
        raise ValueError(f"`freeze` must be one of {sorted(FREEZE_CHOICES)}, got {freeze!r}")
    rows = len(tokenizer.word_index) + 1
    if tokenizer.num_words:
        rows = min(rows, tokenizer.num_words)
    if vectors is None:
        if freeze == "all":
            raise ValueError(
                "`freeze`='all' needs pretrained `vectors` (a random table cannot learn)"
            )
        if extend_vocab:
            raise ValueError(
                "`extend_vocab` adds the words of pretrained `vectors`; none were given"
            )
        return Embedding(rows, embedding_dim, mask_zero=True), None
    if extend_vocab and tokenizer.num_words:
        raise ValueError(
            f"`extend_vocab` with `num_words`={tokenizer.num_words}: the added words would get "
            "ids past the cap and never be used; drop one of the two"
        )
    from vectab.vectors.align import build_embedding_matrix
    from vectab.vectors.io import load_vectors

    vecs = load_vectors(vectors)
    # the report describes the training words, so with extend_vocab it is taken before adding
    report = build_embedding_matrix(tokenizer, vecs, oov_init="zeros")[1] if extend_vocab else None
    if extend_vocab:
        tokenizer.add_words(vecs.index_to_key)
    layer = Embedding.from_vectors(vecs, tokenizer, freeze=FREEZE_CHOICES[freeze], seed=seed,
                                   mask_zero=True, oov_init=oov_init)
    if report is None:
        report = layer.coverage
    if report.num_found == 0:
        raise ValueError(
            f"vocabulary mismatch: none of the {rows - 1} training words is in {vectors}; "
            "check the language, lower-casing (--lower) or the vectors file"
        )
    layer.coverage = report
    return layer, report


def _run_record(options: dict[str, Any], history: History, metrics: dict[str, float]) -> dict:
    return {"options": {k: str(v) if isinstance(v, Path) else v for k, v in options.items()},
            "history": history.history, "best_epoch": history.best_epoch, "metrics": metrics}


def _finish(trainer: Any, model: Any, tokenizer: Any, labels: list, *, out: Any,
            options: dict, preprocessing: dict, valid_data: Any) -> TrainResult:
    import json

    history = trainer.history
    metrics = trainer.evaluate(valid_data) if valid_data is not None else {}
    out_path = None
    if out is not None and trainer.dist.is_main:
        # run.json goes into the same atomic swap as the model: never one without the other
        run_json = json.dumps(_run_record(options, history, metrics), indent=2, ensure_ascii=False)
        out_path = save_model(out, model, tokenizer=tokenizer,
                              labels=labels if model.task == "classification" else None,
                              trainer_config=trainer.config(), preprocessing=preprocessing,
                              extra_files={"run.json": run_json})
    config = {"model_type": model.model_type, "task": model.task, "preprocessing": preprocessing}
    return TrainResult(
        LoadedModel(model, tokenizer, labels, config), history, metrics, out=out_path
    )


def train_classifier(
    train: str | os.PathLike[str],
    *,
    valid: str | os.PathLike[str] | None = None,
    text_col: str = "text",
    label_col: str = "label",
    vectors: str | os.PathLike[str] | None = None,
    freeze: str = "pretrained",
    oov_init: str = "random",
    extend_vocab: bool = False,
    encoder: str = "bilstm",
    embedding_dim: int = 100,
    hidden_size: int = 128,
    projection: tuple[int, ...] = (),
    dropout: float = 0.5,
    epochs: int = 5,
    batch_size: int = 32,
    lr: float = 1e-3,
    ema: float | None = None,
    max_len: int | None = None,
    num_words: int | None = None,
    lower: bool = True,
    early_stopping_patience: int | None = 2,
    seed: int = 0,
    device: str = "auto",
    out: str | os.PathLike[str] | None = None,
    progress: Any = None,
) -> TrainResult:
    """Train a ``TextClassifier`` on a CSV/TSV/JSONL/Parquet file and save it to ``out``.

    Args:
        train, valid: labelled files (``valid`` drives early stopping and the best epoch).
        text_col, label_col: column names.
        vectors: pretrained vectors file (word2vec, GloVe, fastText .vec, vectab format).
        freeze: ``"pretrained"`` (rows found in ``vectors`` stay fixed, new words learn),
            ``"all"`` (the whole table fixed) or ``"none"``.
        oov_init: rows of words missing from ``vectors``: ``"random"`` (at the vectors'
            scale), ``"zeros"`` or ``"mean"``.
        extend_vocab: also give ids to the words of ``vectors`` that never occur in the
            training file, so that with frozen pretrained rows a word first seen in
            validation or at prediction keeps its vector instead of becoming ``<OOV>``
            (see :meth:`~vectab.text.Tokenizer.add_words`). The table grows by those rows.
        encoder: ``bilstm``, ``lstm``, ``bigru``, ``gru``, ``cnn``, ``mean``, ``max``.
        embedding_dim: table width without ``vectors`` (with them, the vectors' dimension).
        projection: widths of position-wise ReLU layers between the table and the encoder
            (see :class:`~vectab.models.ClassifierConfig`); useful over a frozen table.
        ema: validate and keep a moving average of the weights with this decay (e.g. 0.999;
            see :class:`~vectab.engine.trainer.Trainer`).
        max_len: keep the first ``max_len`` tokens of each text.
        num_words: keep the ``num_words - 1`` most frequent words (Keras' meaning).
        lower: lower-case texts before tokenizing.
        out: model directory to write (rank 0 only under torchrun).
        progress: ``True``, or a callable receiving the Trainer's progress events.

    Returns:
        A :class:`TrainResult` with the :class:`~vectab.train.saving.LoadedModel`.
    """
    options = {k: v for k, v in locals().items() if k != "progress"}
    from vectab.engine.trainer import Trainer
    from vectab.models import ClassifierConfig, TextClassifier
    from vectab.text import Tokenizer
    from vectab.train.data import ClassificationDataset, LabelEncoder
    from vectab.train.readers import read_table

    _check_sizes(epochs=epochs, batch_size=batch_size, embedding_dim=embedding_dim,
                 hidden_size=hidden_size, max_len=max_len, num_words=num_words, lr=lr,
                 dropout=dropout)
    if text_col == label_col:
        raise ValueError(
            f"`text_col` and `label_col` are both {text_col!r}: the label would be the text "
            "itself; pass the column of the labels as label_col (--label-col)"
        )
    _check_out_dir(out)
    texts, labels = read_table(train, text_col=text_col, label_col=label_col)
    _check_labels(texts, labels, train, label_col)
    encoder_ = LabelEncoder(labels)
    valid_data = None
    if valid is not None:
        vtexts, vlabels = read_table(valid, text_col=text_col, label_col=label_col)
        if not vtexts:
            raise ValueError(
                f"{valid}: no rows (only a header?); give labelled examples or no `valid`"
            )
    torch.manual_seed(seed)
    tokenizer = Tokenizer(num_words=num_words, oov_token=OOV_TOKEN, lower=lower)
    tokenizer.fit_on_texts(texts)
    train_data = ClassificationDataset(tokenizer.texts_to_sequences(texts),
                                       encoder_.encode(labels, source=str(train)), max_len=max_len)
    embedding, coverage = _embedding(tokenizer, vectors=vectors, freeze=freeze,
                                     embedding_dim=embedding_dim, seed=seed, oov_init=oov_init,
                                     extend_vocab=extend_vocab)
    if valid is not None:
        valid_data = ClassificationDataset(tokenizer.texts_to_sequences(vtexts),
                                           encoder_.encode(vlabels, source=str(valid)),
                                           max_len=max_len)
    config = ClassifierConfig(embedding.num_embeddings, embedding.embedding_dim, len(encoder_),
                              encoder=encoder, hidden_size=hidden_size, dropout=dropout,
                              projection=tuple(projection))
    model = TextClassifier(config, embedding=embedding)
    trainer = Trainer(model, lr=lr, batch_size=batch_size, epochs=epochs, seed=seed, ema=ema,
                      early_stopping_patience=early_stopping_patience if valid else None,
                      device=device, progress=progress)
    trainer.fit(train_data, valid_data)
    result = _finish(trainer, model, tokenizer, list(encoder_.classes), out=out, options=options,
                     preprocessing={"max_len": max_len, "text_col": text_col,
                                    "label_col": label_col}, valid_data=valid_data)
    result.coverage = coverage
    return result


def _tag_list(tags: list[list[str]]) -> list[str]:
    unique = sorted({t for sent in tags for t in sent})
    return (["O"] if "O" in unique else []) + [t for t in unique if t != "O"]


def train_tagger(
    train: str | os.PathLike[str],
    *,
    valid: str | os.PathLike[str] | None = None,
    token_col: int = 0,
    tag_col: int = -1,
    vectors: str | os.PathLike[str] | None = None,
    freeze: str = "pretrained",
    extend_vocab: bool = False,
    embedding_dim: int = 100,
    hidden_size: int = 128,
    dropout: float = 0.5,
    constraints: str | None = "auto",
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 1e-3,
    num_words: int | None = None,
    lower: bool = False,
    early_stopping_patience: int | None = 3,
    seed: int = 0,
    device: str = "auto",
    out: str | os.PathLike[str] | None = None,
    progress: Any = None,
) -> TrainResult:
    """Train a BiLSTM-CRF ``SequenceTagger`` on a CoNLL/BIO file and save it to ``out``.

    Tokens are mapped one-to-one to ids (unknown ones to ``<OOV>``). ``constraints="auto"``
    forbids the tag transitions the file's scheme (BIO, BIOES/BMES) never allows. Other
    arguments as in :func:`train_classifier`; the monitored metric is entity F1.
    """
    options = {k: v for k, v in locals().items() if k != "progress"}
    from vectab.engine.trainer import Trainer
    from vectab.models import SequenceTagger, TaggerConfig
    from vectab.text import Tokenizer
    from vectab.train.data import TaggingDataset
    from vectab.train.readers import read_conll

    _check_sizes(epochs=epochs, batch_size=batch_size, embedding_dim=embedding_dim,
                 hidden_size=hidden_size, num_words=num_words, lr=lr, dropout=dropout)
    _check_out_dir(out)
    sents, tags = read_conll(train, token_col=token_col, tag_col=tag_col)
    if not sents:
        raise ValueError(f"{train}: no sentences found (expected token and tag columns)")
    if len({t for sent in tags for t in sent}) < 2:
        raise ValueError(
            f"{train}: every token has the tag {tags[0][0]!r}; a tagger needs at least 2 different "
            "tags: add annotated examples (or pick the right column with tag_col / --tag-col)"
        )
    tag_names = _tag_list(tags)
    tag_id = {t: i for i, t in enumerate(tag_names)}

    def encode(
        sentences: list[list[str]], tag_seqs: list[list[str]], source: Any
    ) -> TaggingDataset:
        unknown = sorted({t for s in tag_seqs for t in s} - set(tag_id))
        if unknown:
            raise ValueError(f"{source}: tags {unknown[:10]} do not occur in the training file")
        return TaggingDataset([token_ids(tokenizer, s) for s in sentences],
                              [[tag_id[t] for t in s] for s in tag_seqs])

    torch.manual_seed(seed)
    tokenizer = Tokenizer(num_words=num_words, oov_token=OOV_TOKEN, lower=lower, filters="")
    tokenizer.fit_on_texts(sents)
    train_data = encode(sents, tags, train)
    embedding, coverage = _embedding(tokenizer, vectors=vectors, freeze=freeze,
                                     embedding_dim=embedding_dim, seed=seed,
                                     extend_vocab=extend_vocab)
    valid_data = None
    if valid is not None:
        vsents, vtags = read_conll(valid, token_col=token_col, tag_col=tag_col)
        if not vsents:
            raise ValueError(f"{valid}: no sentences found (expected token and tag columns)")
        valid_data = encode(vsents, vtags, valid)
    config = TaggerConfig(embedding.num_embeddings, embedding.embedding_dim, tags=tag_names,
                          hidden_size=hidden_size, dropout=dropout, constraints=constraints)
    model = SequenceTagger(config, embedding=embedding)
    trainer = Trainer(model, lr=lr, batch_size=batch_size, epochs=epochs, seed=seed,
                      early_stopping_patience=early_stopping_patience if valid else None,
                      device=device, progress=progress)
    trainer.fit(train_data, valid_data)
    result = _finish(trainer, model, tokenizer, tag_names, out=out, options=options,
                     preprocessing={"token_col": token_col, "tag_col": tag_col},
                     valid_data=valid_data)
    result.coverage = coverage
    return result
