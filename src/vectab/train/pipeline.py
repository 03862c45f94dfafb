"""From files to a saved model in one call: what ``vectab train classifier|tagger`` runs.

Each function reads the training (and validation) file, fits a Tokenizer, builds the
Embedding (from pretrained vectors, partly frozen, when ``vectors`` is given), the model and a
:class:`~vectab.engine.trainer.Trainer`, trains, and saves a model directory (see
:mod:`vectab.train.saving`) with a ``run.json`` of the options, history and final metrics.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import os
from pathlib import Path
from typing import Any, TypeVar

import torch

from vectab._fileio import check_output
from vectab.engine.callbacks import History
from vectab.train.run_config import FREEZE_CHOICES, ClassifierRun, RunConfig, TaggerRun
from vectab.train.saving import (
    MAX_WORD_LEN,
    LoadedModel,
    check_save_target,
    save_model,
    text_tokens,
    token_ids,
)

__all__ = ["TrainResult", "FREEZE_CHOICES", "train_classifier", "train_tagger"]

OOV_TOKEN = "<OOV>"
R = TypeVar("R", bound=RunConfig)


# -- checks made before any table is built or any epoch runs ------------------------------------


def _check_out_dir(out: str | os.PathLike[str] | None) -> None:
    """Refuse an ``out`` that cannot become a model directory (before hours of training)."""
    if out is None:
        return
    check_output(out, option="`out`", kind="dir")
    # the model replaces `out` whole: a folder of other files is refused
    check_save_target(Path(out))


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
    #: with ``refit``: the epochs of the final run on train + valid (``model`` is that run's;
    #: ``history`` and ``metrics`` are the first run's, the one validated)
    refit_epochs: int | None = None


def _embedding(tokenizer: Any, *, vectors: str | os.PathLike[str] | None, freeze: str,
               embedding_dim: int, seed: int, oov_init: str = "random",
               extend_vocab: bool = False) -> tuple[Any, Any]:
    """The table for ``tokenizer`` and the coverage report of the training vocabulary.

    With ``extend_vocab`` the vectors' words that the tokenizer can produce are added to it
    first (after the training words, whose ids do not change); the report still describes the
    training words only.
    """
    from vectab.nn import Embedding

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


def _char_vocab(run: RunConfig, token_lists: list[list[str]]) -> Any:
    """The CharVocab of the training tokens as written (``run.chars``), else None."""
    if run.chars is None:
        return None
    from vectab.text.chars import CharVocab

    return CharVocab.build(token_lists)


def _features(run: RunConfig, token_lists: list[list[str]] | None, char_vocab: Any) -> dict:
    """The datasets' ``char_ids``/``casing_ids`` keywords for ``run`` (none: words only)."""
    if token_lists is None or (char_vocab is None and not run.casing):
        return {}
    from vectab.train.data import token_features

    chars, casing = token_features(token_lists, char_vocab=char_vocab, casing=run.casing,
                                   max_word_len=MAX_WORD_LEN)
    return {"char_ids": chars, "casing_ids": casing}


def _char_options(run: RunConfig, char_vocab: Any) -> tuple[dict, dict]:
    """``(model config keywords, preprocessing entries)`` of the character features."""
    model = {"num_chars": len(char_vocab)} if char_vocab is not None else {}
    uses_tokens = char_vocab is not None or run.casing
    return model, ({"max_word_len": MAX_WORD_LEN} if uses_tokens else {})


def _sequences(run: RunConfig, tokenizer: Any, texts: list[str]) -> tuple[list, list | None]:
    """Ids of ``texts``, and their tokens as written when the model reads characters/casing."""
    if run.chars is None and not run.casing:
        return tokenizer.texts_to_sequences(texts), None
    return text_tokens(tokenizer, texts)


def _run_record(run: RunConfig, history: History, metrics: dict[str, float]) -> dict:
    """``run.json``: the run config (:meth:`RunConfig.to_dict`) plus what the run gave."""
    return {"options": run.to_dict(), "history": history.history,
            "best_epoch": history.best_epoch, "metrics": metrics}


def _finish(trainer: Any, model: Any, tokenizer: Any, labels: list, *, run: RunConfig,
            preprocessing: dict, valid_data: Any, char_vocab: Any = None, coverage: Any = None,
            first: TrainResult | None = None) -> TrainResult:
    """Save (``run.out``, ``run``'s options in run.json) and wrap the trained model; ``first``:
    the validated first run of a ``refit`` (its history, metrics and coverage are the ones
    reported; this run is the refit)."""
    import json

    refit_epochs = None
    if first is None:
        history = trainer.history
        metrics = trainer.evaluate(valid_data) if valid_data is not None else {}
    else:
        history, metrics, coverage = first.history, first.metrics, first.coverage
        refit_epochs = len(trainer.history.epochs)
    out_path = None
    if run.out is not None and trainer.dist.is_main:
        record = _run_record(run, history, metrics)
        if first is not None:
            record["refit"] = {"epochs": refit_epochs, "history": trainer.history.history}
        # run.json goes into the same atomic swap as the model: never one without the other
        run_json = json.dumps(record, indent=2, ensure_ascii=False)
        out_path = save_model(run.out, model, tokenizer=tokenizer,
                              labels=labels if model.task == "classification" else None,
                              trainer_config=trainer.config(), preprocessing=preprocessing,
                              extra_files={"run.json": run_json}, char_vocab=char_vocab)
    config = {"model_type": model.model_type, "task": model.task, "preprocessing": preprocessing}
    return TrainResult(
        LoadedModel(model, tokenizer, labels, config, char_vocab), history, metrics,
        coverage=coverage, out=out_path, refit_epochs=refit_epochs,
    )


def _fit_and_refit(run: R, fit: Any, xs: list, ys: list, valid: tuple[list, list] | None, *,
                   progress: Any, on_coverage: Any) -> TrainResult:
    """``fit`` once, validated on ``valid``, and saved unless ``run.refit``; with ``run.refit``
    ``fit`` again, fresh, on train + valid for the epochs the first run's best epoch took (no
    validation), saved with ``run``'s options. ``fit(run, xs, ys, valid, *, progress,
    on_coverage, record, first)`` is one recipe's run (:func:`_fit_classifier`,
    :func:`_fit_tagger`); ``record`` is the run whose options and ``out`` it saves to."""
    first = fit(run, xs, ys, valid, progress=progress, on_coverage=on_coverage,
                record=dataclasses.replace(run, out=None) if run.refit else run)
    if not run.refit or valid is None:  # (the run config refuses refit without valid)
        return first
    best = first.history.best_epoch
    epochs = len(first.history.epochs) if best is None else best + 1
    again = dataclasses.replace(run, valid=None, epochs=epochs, refit=False)
    return fit(again, xs + valid[0], ys + valid[1], None, progress=progress, on_coverage=None,
               record=run, first=first)  # type: ignore[no-any-return]


def train_classifier(
    train: str | os.PathLike[str], *, progress: Any = None, on_coverage: Any = None,
    **options: Any
) -> TrainResult:
    """Train a ``TextClassifier`` on a CSV/TSV/JSONL/Parquet file and save it to ``out``.

    The keywords are the fields of :class:`~vectab.train.run_config.ClassifierRun` (names,
    defaults, rules and help are declared there once; ``vectab train classifier`` has the same
    options), e.g. ``valid``, ``text_col``, ``label_col``, ``vectors``, ``freeze``
    (``"pretrained"``: rows found in ``vectors`` stay fixed, new words learn; ``"all"``;
    ``"none"``), ``oov_init``, ``extend_vocab`` (also give ids to the words of ``vectors``
    that never occur in the training file, see :meth:`~vectab.text.Tokenizer.add_words`),
    ``encoder``, ``embedding_dim`` (table width without ``vectors``), ``projection``, ``ema``,
    ``max_len``, ``num_words`` (Keras' meaning), ``lower``, ``epochs``, ``lr``, ``out``
    (model directory to write; rank 0 only under torchrun), ``chars`` (``"cnn"`` or
    ``"lstm"``: also encode each word's characters, from a CharVocab of the training words as
    written, saved as ``chars.json``) and ``casing`` (also embed each word's casing class).
    Every option is checked before the file is read.

    Args:
        train: labelled training file (``valid`` drives early stopping and the best epoch).
        progress: ``True``, or a callable receiving the Trainer's progress events.
        on_coverage: called with the :class:`~vectab.vectors.align.CoverageReport` of the
            training words (with ``vectors`` only) once the table is built, before training.
        **options: the :class:`~vectab.train.run_config.ClassifierRun` fields.

    Returns:
        A :class:`TrainResult` with the :class:`~vectab.train.saving.LoadedModel`.
    """
    run = ClassifierRun.from_options(train, options)
    from vectab.train.data import LabelEncoder
    from vectab.train.readers import read_table

    _check_out_dir(run.out)
    texts, labels = read_table(run.train, text_col=run.text_col, label_col=run.label_col)
    _check_labels(texts, labels, run.train, run.label_col)
    encoder_ = LabelEncoder(labels)
    valid = None
    if run.valid is not None:
        vtexts, vlabels = read_table(run.valid, text_col=run.text_col, label_col=run.label_col)
        if not vtexts:
            raise ValueError(
                f"{run.valid}: no rows (only a header?); give labelled examples or no `valid`"
            )
        valid = (vtexts, vlabels)
    return _fit_and_refit(run, functools.partial(_fit_classifier, encoder_=encoder_), texts,
                          labels, valid, progress=progress, on_coverage=on_coverage)


def _fit_classifier(run: ClassifierRun, texts: list[str], labels: list,
                    valid: tuple[list, list] | None, *, encoder_: Any, progress: Any,
                    on_coverage: Any, record: ClassifierRun,
                    first: TrainResult | None = None) -> TrainResult:
    """Tokenizer, features, table, model and training of one classifier run (see
    train_classifier and :func:`_fit_and_refit`)."""
    from vectab.models import ClassifierConfig, TextClassifier
    from vectab.text import Tokenizer
    from vectab.train.data import ClassificationDataset

    torch.manual_seed(run.seed)
    tokenizer = Tokenizer(num_words=run.num_words, oov_token=OOV_TOKEN, lower=run.lower)
    tokenizer.fit_on_texts(texts)
    sequences, tokens = _sequences(run, tokenizer, texts)
    char_vocab = _char_vocab(run, tokens)
    train_data = ClassificationDataset(sequences, encoder_.encode(labels, source=run.train),
                                       max_len=run.max_len,
                                       **_features(run, tokens, char_vocab))
    embedding, coverage = _embedding(tokenizer, vectors=run.vectors, freeze=run.freeze,
                                     embedding_dim=run.embedding_dim, seed=run.seed,
                                     oov_init=run.oov_init, extend_vocab=run.extend_vocab)
    if on_coverage is not None and coverage is not None:
        on_coverage(coverage)  # before the first epoch: a vocabulary mismatch shows at once
    valid_data = None
    if valid is not None:
        vsequences, vtokens = _sequences(run, tokenizer, valid[0])
        valid_data = ClassificationDataset(vsequences, encoder_.encode(valid[1], source=run.valid),
                                           max_len=run.max_len,
                                           **_features(run, vtokens, char_vocab))
    char_config, char_preprocessing = _char_options(run, char_vocab)
    config = ClassifierConfig(embedding.num_embeddings, embedding.embedding_dim, len(encoder_),
                              **char_config, **run.model_options())
    model = TextClassifier(config, embedding=embedding)
    trainer = _trainer(model, run, progress)
    trainer.fit(train_data, valid_data)
    return _finish(trainer, model, tokenizer, list(encoder_.classes), run=record,
                   preprocessing={"max_len": run.max_len, "text_col": run.text_col,
                                  "label_col": run.label_col, **char_preprocessing},
                   valid_data=valid_data, char_vocab=char_vocab, coverage=coverage, first=first)


def _trainer(model: Any, run: RunConfig, progress: Any, **extra: Any) -> Any:
    from vectab.engine.trainer import Trainer

    return Trainer(model, lr=run.lr, batch_size=run.batch_size, epochs=run.epochs, seed=run.seed,
                   ema=run.ema,
                   early_stopping_patience=run.early_stopping_patience if run.valid else None,
                   device=run.device, progress=progress, **extra)


def _tag_list(tags: list[list[str]]) -> list[str]:
    unique = sorted({t for sent in tags for t in sent})
    return (["O"] if "O" in unique else []) + [t for t in unique if t != "O"]


def train_tagger(
    train: str | os.PathLike[str], *, progress: Any = None, on_coverage: Any = None,
    **options: Any
) -> TrainResult:
    """Train a BiLSTM-CRF ``SequenceTagger`` on a CoNLL/BIO file and save it to ``out``.

    The keywords are the fields of :class:`~vectab.train.run_config.TaggerRun` (as
    ``vectab train tagger``'s options). Tokens are mapped one-to-one to ids (unknown ones to
    ``<OOV>``). ``constraints="auto"`` forbids the tag transitions the file's scheme (BIO,
    BIOES/BMES) never allows. Other options as in :func:`train_classifier`; the monitored
    metric is entity F1.

    ``refit=True`` (on in ``preset="wnut17-like"``): once early stopping on ``valid`` has chosen
    the epoch count, a fresh model (tokenizer, characters and table fitted again) is trained on
    train + valid for that many epochs and saved; the result's ``history`` and ``metrics`` are
    the validated first run's, ``refit_epochs`` the refit's, and ``run.json`` has both.
    """
    run = TaggerRun.from_options(train, options)
    from vectab.train.readers import read_conll

    _check_out_dir(run.out)
    sents, tags = read_conll(run.train, token_col=run.token_col, tag_col=run.tag_col)
    if not sents:
        raise ValueError(f"{run.train}: no sentences found (expected token and tag columns)")
    if len({t for sent in tags for t in sent}) < 2:
        raise ValueError(
            f"{run.train}: every token has the tag {tags[0][0]!r}; a tagger needs at least 2 "
            "different tags: add annotated examples (or pick the right column with tag_col / "
            "--tag-col)"
        )
    valid = None
    if run.valid is not None:
        vsents, vtags = read_conll(run.valid, token_col=run.token_col, tag_col=run.tag_col)
        if not vsents:
            raise ValueError(f"{run.valid}: no sentences found (expected token and tag columns)")
        valid = (vsents, vtags)
    return _fit_and_refit(run, _fit_tagger, sents, tags, valid, progress=progress,
                          on_coverage=on_coverage)


def _fit_tagger(run: TaggerRun, sents: list[list[str]], tags: list[list[str]],
                valid: tuple[list, list] | None, *, progress: Any, on_coverage: Any,
                record: TaggerRun, first: TrainResult | None = None) -> TrainResult:
    """Tokenizer, features, table, model and training of one tagger run (see train_tagger and
    :func:`_fit_and_refit`)."""
    from vectab.models import SequenceTagger, TaggerConfig
    from vectab.text import Tokenizer
    from vectab.train.data import TaggingDataset

    tag_names = _tag_list(tags)
    tag_id = {t: i for i, t in enumerate(tag_names)}

    def encode(
        sentences: list[list[str]], tag_seqs: list[list[str]], source: Any
    ) -> TaggingDataset:
        unknown = sorted({t for s in tag_seqs for t in s} - set(tag_id))
        if unknown:
            raise ValueError(f"{source}: tags {unknown[:10]} do not occur in the training file")
        return TaggingDataset([token_ids(tokenizer, s) for s in sentences],
                              [[tag_id[t] for t in s] for s in tag_seqs],
                              **_features(run, sentences, char_vocab))

    torch.manual_seed(run.seed)
    tokenizer = Tokenizer(num_words=run.num_words, oov_token=OOV_TOKEN, lower=run.lower,
                          filters="")
    tokenizer.fit_on_texts(sents)
    char_vocab = _char_vocab(run, sents)  # the tokens as written: case kept for the characters
    train_data = encode(sents, tags, run.train)
    # the tagger's extend_vocab is on by default: without vectors there is nothing to add
    embedding, coverage = _embedding(tokenizer, vectors=run.vectors, freeze=run.freeze,
                                     embedding_dim=run.embedding_dim, seed=run.seed,
                                     oov_init=run.oov_init,
                                     extend_vocab=run.extend_vocab and run.vectors is not None)
    if on_coverage is not None and coverage is not None:
        on_coverage(coverage)  # before the first epoch: a vocabulary mismatch shows at once
    valid_data = None if valid is None else encode(valid[0], valid[1], run.valid)
    char_config, char_preprocessing = _char_options(run, char_vocab)
    config = TaggerConfig(embedding.num_embeddings, embedding.embedding_dim, tags=tag_names,
                          **char_config, **run.model_options())
    model = SequenceTagger(config, embedding=embedding)
    trainer = _trainer(model, run, progress)
    trainer.fit(train_data, valid_data)
    return _finish(trainer, model, tokenizer, tag_names, run=record,
                   preprocessing={"token_col": run.token_col, "tag_col": run.tag_col,
                                  **char_preprocessing},
                   valid_data=valid_data, char_vocab=char_vocab, coverage=coverage, first=first)


def _signature(run_cls: type[RunConfig]) -> inspect.Signature:
    """The keywords a recipe takes: the run config's fields (for help() and inspect)."""
    params = [inspect.Parameter("train", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                annotation="str | os.PathLike[str]")]
    params += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                 annotation=f.type) for f in dataclasses.fields(run_cls)[1:]]
    params.append(inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=None))
    params.append(inspect.Parameter("on_coverage", inspect.Parameter.KEYWORD_ONLY, default=None))
    return inspect.Signature(params, return_annotation="TrainResult")


train_classifier.__signature__ = _signature(ClassifierRun)  # type: ignore[attr-defined]
train_tagger.__signature__ = _signature(TaggerRun)  # type: ignore[attr-defined]
