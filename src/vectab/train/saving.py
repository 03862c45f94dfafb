"""Saved model directories: ``config.json``, ``model.safetensors``, ``tokenizer.json``,
``labels.json`` (and ``chars.json``).

A trained model is saved as a directory that needs no pickle to load::

    my-model/
      config.json         model_type, task, model config, trainer config, vectab version
      model.safetensors   the weights (torch state dict, safetensors format)
      tokenizer.json      the Tokenizer (Keras' tokenizer JSON)
      labels.json         {"labels": [...]} as written in the training file, or {"tags": [...]}
      chars.json          the character vocabulary (CharVocab.to_dict()), for a model with
                          character features (``chars`` in its config)
      manifest.json       every file's name, size and sha256, written last (see vectab._fileio)

The directory is built beside its target and swapped in whole (:func:`vectab._fileio.atomic_dir`):
a save that is killed at any instant leaves the complete old model or the complete new one,
never new weights beside an old tokenizer. :func:`load_model` checks the manifest against the
files before it reads anything else, and refuses a directory without one.

:func:`load_model` rebuilds it as a :class:`LoadedModel` whose ``predict(texts)`` returns labels
exactly as they were written in the training file (ints stay ints) and ``predict_proba(texts)``
the class probabilities; a tagger's ``predict(list of token lists)`` returns tag lists. A model
with character or casing features gets them from the same raw text, with no extra step.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from vectab._fileio import (
    atomic_dir,
    atomic_write,
    check_replaceable,
    committed_dir,
    verify_manifest,
)
from vectab._modelfile import read_json, read_regular, safetensors_header
from vectab.engine.checkpoint import load_weights, save_weights
from vectab.errors import ModelFormatError
from vectab.train import _schema

__all__ = ["save_model", "load_model", "LoadedModel", "token_ids", "text_tokens"]

# the files save_model writes; load_model refuses any of them that the manifest does not list
MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "labels.json", "chars.json")
#: characters kept of a longer word (its first and last ones) when ``preprocessing`` has none
MAX_WORD_LEN = 20
REQUIRED_FILES = ("config.json", "model.safetensors")


def _extra_files(extra_files: Any) -> dict[str, bytes]:
    if extra_files is None:
        return {}
    if not isinstance(extra_files, dict):
        raise TypeError(f"`extra_files` must be a dict {{file name: str or bytes}}, got "
                        f"{type(extra_files).__name__}")
    out = {}
    for name, data in extra_files.items():
        if (not isinstance(name, str) or not name or name != os.path.basename(name)
                or name in (".", "..") or name.startswith(".") or name in MODEL_FILES
                or name == "manifest.json"):
            raise ValueError(
                f"`extra_files` names must be plain file names (no folder, not hidden) other "
                f"than {MODEL_FILES + ('manifest.json',)}, got {name!r}; e.g. {{'run.json': ...}}"
            )
        if not isinstance(data, str | bytes):
            raise TypeError(
                f"`extra_files[{name!r}]` must be str or bytes, got {type(data).__name__}"
            )
        out[name] = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return out


def _write_json(path: Path, data: Any) -> None:
    with atomic_write(path) as f:
        json.dump(data, f, indent=2, ensure_ascii=False)


def check_save_target(directory: str | os.PathLike[str]) -> Path:
    """Refuse a ``directory`` that :func:`save_model` would refuse, before training starts.

    Raises ``NotADirectoryError`` (a file) or ``FileExistsError`` (a folder holding files that
    are not a saved model's, or the current folder), as :func:`save_model` would.
    """
    return check_replaceable(directory, owned=MODEL_FILES + ("run.json",))


def save_model(
    directory: str | os.PathLike[str],
    model: nn.Module,
    *,
    tokenizer: Any = None,
    labels: Sequence[Any] | None = None,
    trainer_config: dict[str, Any] | None = None,
    preprocessing: dict[str, Any] | None = None,
    extra_files: dict[str, str | bytes] | None = None,
    char_vocab: Any = None,
) -> Path:
    """Write ``model`` (and its tokenizer and labels) as a model directory; return its path.

    The directory is replaced whole and atomically: after a crash or kill at any point it
    holds the complete previous model or the complete new one.

    Args:
        directory: created if needed, or replaced whole. An existing directory that holds
            files other than a saved model's is refused (``FileExistsError``): replacing it
            would delete them.
        model: a vectab task model (``model_type`` and ``config.to_dict()``).
        tokenizer: the fitted ``vectab.text.Tokenizer`` the ids came from (``to_json()``).
        labels: for a classifier, the class labels in class-id order, as written in the
            training file (ints, strings); JSON keeps their type.
        trainer_config: the Trainer's options (``Trainer.config()``), kept for the record.
        preprocessing: how texts became ids (e.g. ``{"max_len": 200}``), used by predict.
        extra_files: more files written in the same atomic swap, ``{name: str or bytes}``
            (e.g. ``{"run.json": ...}``); listed in the manifest like the model's own.
        char_vocab: the :class:`vectab.text.CharVocab` of a model with character features
            (``config.chars``), written as ``chars.json``; required for such a model.
    """
    model_type = getattr(model, "model_type", None)
    config = getattr(model, "config", None)
    if model_type is None or not hasattr(config, "to_dict"):
        raise TypeError(
            f"`model` must be a vectab task model with model_type and config.to_dict(); got "
            f"{type(model).__name__}"
        )
    from vectab import __version__

    _check_char_vocab(config, char_vocab)
    extras = _extra_files(extra_files)
    directory = Path(directory)
    with atomic_dir(directory, owned=MODEL_FILES + tuple(extras) + ("run.json",)) as tmp:
        save_weights(model, tmp / "model.safetensors")
        if tokenizer is not None:
            with atomic_write(tmp / "tokenizer.json") as f:
                f.write(tokenizer.to_json())
        tags = getattr(config, "tags", None)
        if labels is not None:
            _write_json(tmp / "labels.json", {"labels": list(labels)})
        elif tags:
            _write_json(tmp / "labels.json", {"tags": list(tags)})
        if char_vocab is not None:
            _write_json(tmp / "chars.json", char_vocab.to_dict())
        for name, data in extras.items():
            with atomic_write(tmp / name, "wb") as f:
                f.write(data)
        _write_json(tmp / "config.json", {
            "vectab_version": __version__,
            "model_type": model_type,
            "task": getattr(model, "task", None),
            "model_config": config.to_dict(),
            "trainer_config": trainer_config or {},
            "preprocessing": preprocessing or {},
        })
    return directory


def _check_char_vocab(config: Any, char_vocab: Any) -> None:
    """A model with character features is saved with the CharVocab its ids come from."""
    chars = getattr(config, "chars", None)
    if chars is None:
        if char_vocab is not None:
            raise ValueError("`char_vocab` was given but the model has no character features "
                             "(config.chars is None); leave it out")
        return
    if char_vocab is None or not hasattr(char_vocab, "to_dict"):
        raise TypeError(
            f"`char_vocab` must be the vectab.text.CharVocab of this model (config.chars="
            f"{chars!r}), got {type(char_vocab).__name__}; without it a loaded model cannot turn "
            "words into character ids"
        )
    if len(char_vocab) != config.num_chars:
        raise ValueError(
            f"`char_vocab` has {len(char_vocab)} ids but the model's config.num_chars is "
            f"{config.num_chars}; pass the CharVocab the model was built with"
        )


def _load_char_vocab(path: Path, model_config: Any) -> Any:
    """Read ``chars.json`` (a model with ``chars``), checked against the config, or None."""
    chars = getattr(model_config, "chars", None)
    present = os.path.lexists(path)
    if chars is None:
        if present:
            raise ModelFormatError(path, None, "expected no character vocabulary (the config has "
                                   "no chars), found chars.json")
        return None
    if not present:
        raise ModelFormatError(path, None, f"missing; the config has chars={chars!r}, which "
                               "needs the character vocabulary the model was trained with")
    from vectab.text.chars import CharVocab

    try:
        vocab = CharVocab.from_dict(_read_json(path))
    except (TypeError, ValueError) as exc:
        if isinstance(exc, ModelFormatError):
            raise
        raise ModelFormatError(path, None, str(exc).rstrip(".")) from None
    if len(vocab) != model_config.num_chars:
        raise ModelFormatError(path, "chars", f"expected {model_config.num_chars - 2} characters "
                               f"(config.json's num_chars {model_config.num_chars} less padding "
                               f"and OOV), found {len(vocab.chars)}")
    return vocab


def _read_json(path: Path, *, allow_nan: bool = False) -> Any:
    """A model file's JSON: a regular file (a FIFO never blocks), strict JSON, no duplicate keys."""
    try:
        return read_json(path, allow_nan=allow_nan)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path}: missing; is {path.parent} a saved vectab model?"
        ) from None


def _build(config_path: Path, weights_path: Path) -> tuple[Any, Any, dict[str, Any]]:
    """Check ``config.json`` and the weights' header against each other; allocate nothing.

    Returns ``(model class, model config, config.json as read)``.
    """
    config = _read_json(config_path)
    cls, model_config = _schema.check_config(config_path, config)
    try:
        header, _ = safetensors_header(weights_path)
    except FileNotFoundError:
        raise FileNotFoundError(f"{weights_path}: weights file not found") from None
    _schema.check_weights_header(config_path, weights_path, cls, model_config, header)
    return cls, model_config, config


def token_ids(tokenizer: Any, tokens: Sequence[str]) -> list[int]:
    """Ids of pre-split ``tokens`` through a Keras-style tokenizer, one id per token.

    Unlike ``texts_to_sequences``, no token is dropped: unknown tokens (and ids at or beyond
    ``num_words``) map to the OOV id, or to 0 (padding) when the tokenizer has no OOV token.
    """
    from vectab.text._num_words import MISSING, limit_ids

    index = tokenizer.word_index
    oov = index.get(tokenizer.oov_token) if tokenizer.oov_token is not None else None
    lower = getattr(tokenizer, "lower", False)
    ids = np.fromiter(
        (index.get(tok.lower() if lower else tok, MISSING) for tok in tokens),
        dtype=np.int64,
        count=len(tokens),
    )
    ids = limit_ids(ids, num_words=tokenizer.num_words, oov_index=oov)
    ids[ids == MISSING] = 0
    return ids.tolist()


def text_tokens(tokenizer: Any, texts: Sequence[str]) -> tuple[list[list[int]], list[list[str]]]:
    """Ids of each text and its tokens as written (case kept), one token per id.

    The tokens are the tokenizer's words (its ``filters`` and ``split``) before lower-casing,
    so character and casing features see the original case; the ids are those of
    ``texts_to_sequences``. With an ``analyzer`` or ``char_level`` the tokens are the
    tokenizer's own (lower-cased with ``lower``). Words a tokenizer without an ``oov_token``
    drops are dropped from both.
    """
    from vectab.text.tokenizer import text_to_word_sequence

    texts = list(texts)
    plain = getattr(tokenizer, "analyzer", None) is None and not tokenizer.char_level
    fast = tokenizer.texts_to_sequences(texts) if tokenizer.oov_token is not None else None
    all_ids, all_tokens = [], []
    for i, text in enumerate(texts):
        if plain:
            words = text_to_word_sequence(text, tokenizer.filters, lower=False,
                                          split=tokenizer.split)
        else:
            words = tokenizer._tokens(text)
        if fast is not None and len(fast[i]) == len(words):
            ids = list(fast[i])
        else:  # ids one per word; a dropped word (id 0: no oov_token) goes with its id
            ids = token_ids(tokenizer, words)
            words = [w for w, j in zip(words, ids) if j]
            ids = [j for j in ids if j]
        all_ids.append(ids)
        all_tokens.append(list(words))
    return all_ids, all_tokens


def _table_rows(model: nn.Module) -> int:
    emb = getattr(model, "embedding", None)
    return int(getattr(emb, "num_embeddings", 0) or 0)


class LoadedModel:
    """A trained model with its tokenizer and labels, ready to predict on raw text.

    Attributes:
        model: the task model (``TextClassifier``, ``SequenceTagger``...), in eval mode.
        tokenizer: the fitted Tokenizer.
        labels: class labels as written in the training file (classifier), or the tag names.
        config: the parsed ``config.json``.
        char_vocab: the :class:`vectab.text.CharVocab` of a model with character features,
            else None.
    """

    def __init__(self, model: nn.Module, tokenizer: Any, labels: list[Any], config: dict,
                 char_vocab: Any = None) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.labels = labels
        self.config = config
        self.char_vocab = char_vocab
        self.task = config.get("task") or getattr(model, "task", None)
        preprocessing = config.get("preprocessing") or {}
        self.max_len = preprocessing.get("max_len")
        self.max_word_len = preprocessing.get("max_word_len", MAX_WORD_LEN)
        model_config = getattr(model, "config", None)
        self.casing = bool(getattr(model_config, "casing", False))
        if getattr(model_config, "chars", None) is not None and char_vocab is None:
            raise ValueError("`char_vocab` is required: the model has character features "
                             f"(chars={model_config.chars!r})")

    @property
    def uses_tokens(self) -> bool:
        """Whether the model reads each token's characters or casing besides its id."""
        return self.char_vocab is not None or self.casing

    def __repr__(self) -> str:
        return (f"LoadedModel({self.config.get('model_type')}, task={self.task!r}, "
                f"labels={self.labels[:10]!r}, vocab_rows={_table_rows(self.model)})")

    def _batches(self, sequences: list[list[int]], batch_size: int,
                 tokens: list[list[str]] | None = None):
        from vectab.train.data import ClassificationDataset, TaggingDataset, token_features

        chars = case = None
        if tokens is not None and self.uses_tokens:
            chars, case = token_features(tokens, char_vocab=self.char_vocab, casing=self.casing,
                                         max_word_len=self.max_word_len)
        data = (TaggingDataset(sequences, char_ids=chars, casing_ids=case)
                if self.task == "tagging"
                else ClassificationDataset(sequences, max_len=self.max_len, char_ids=chars,
                                           casing_ids=case))
        device = next(self.model.parameters()).device
        for start in range(0, len(data), batch_size):
            items = [data[i] for i in range(start, min(start + batch_size, len(data)))]
            yield {k: v.to(device) for k, v in data.collate(items).items()}

    def _encode_texts(self, texts: Sequence[str]) -> tuple[list[list[int]], list | None]:
        """``(ids, tokens as written or None)`` of each text (tokens for a model reading them)."""
        if isinstance(texts, str):
            raise TypeError("`texts` must be a list of strings, not one string; wrap it: [text]")
        if self.uses_tokens:
            return text_tokens(self.tokenizer, list(texts))
        return [list(s) for s in self.tokenizer.texts_to_sequences(list(texts))], None

    @torch.no_grad()
    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``(N, C)``; column ``j`` is ``labels[j]``."""
        if self.task != "classification":
            raise TypeError(f"predict_proba needs a classifier; this model's task is {self.task!r}")
        sequences, tokens = self._encode_texts(texts)
        out = [self.model.predict_proba(b).float().cpu()
               for b in self._batches(sequences, batch_size, tokens)]
        return torch.cat(out).numpy() if out else np.zeros((0, len(self.labels)), np.float32)

    @torch.no_grad()
    def predict(
        self, inputs: Sequence[Any], *, batch_size: int = 256
    ) -> list[str | int | list[str | int]]:
        """Labels of texts (classifier) or tag lists of token lists (tagger).

        Classifier: ``predict(["a good film"]) -> [1]`` (labels as written in the training
        file). Multi-label: a list of label lists. Tagger: ``predict([["John", "runs"]]) ->
        [["B-PER", "O"]]``.
        """
        if self.task == "tagging":
            if isinstance(inputs, str) or any(isinstance(s, str) for s in inputs):
                raise TypeError(
                    "a tagger's `inputs` must be a list of token lists, e.g. [['John', 'runs']]"
                )
            inputs = [list(s) for s in inputs]
            seqs = [token_ids(self.tokenizer, s) for s in inputs]
            out: list[Any] = []
            for batch in self._batches(seqs, batch_size, inputs):
                pred, mask = self.model.decode(batch).cpu(), batch["mask"].cpu()
                out.extend([self.labels[int(i)] for i in row[m]] for row, m in zip(pred, mask))
            return out
        if self.task != "classification":
            raise TypeError(f"predict on text needs a classifier or tagger; task is {self.task!r}")
        results: list[Any] = []
        sequences, tokens = self._encode_texts(inputs)
        for batch in self._batches(sequences, batch_size, tokens):
            pred = self.model.decode(batch).cpu()
            if pred.dim() == 2:  # multi-label
                results.extend(
                    [self.labels[j] for j in row.nonzero().flatten().tolist()] for row in pred
                )
            else:
                results.extend(self.labels[int(i)] for i in pred)
        return results

    def export_embedding(self, path: str | os.PathLike[str], *, format: str = "word2vec") -> Path:
        """Write the learned embedding table with the tokenizer's words as a vector file.

        Row ``i`` is written under the word whose id is ``i`` (padding row 0 is skipped), so
        ``Embedding.from_vectors(load_vectors(path), tokenizer, freeze=False)`` rebuilds the
        same table for the same ids. ``format`` is any format ``vectab.vectors.save_vectors``
        writes (word2vec text or binary, GloVe, vectab's own).
        """
        from vectab.vectors.io import save_vectors
        from vectab.vectors.store import Vectors

        table = self.model.embedding.weight.detach().float().cpu().numpy()
        index_word = self.tokenizer.index_word
        ids = [i for i in range(1, table.shape[0]) if i in index_word]
        words = [index_word[i] for i in ids]
        save_vectors(Vectors(words, table[ids]), path, format=format)
        return Path(path)


def load_model(
    directory: str | os.PathLike[str], *, device: str | torch.device = "cpu"
) -> LoadedModel:
    """Load a model directory written by :func:`save_model` (or ``vectab train ...``).

    The manifest is checked first (every listed file present, same size, same sha256; no
    unlisted model file), before anything else is read or allocated. If a save over
    ``directory`` was killed between its two renames, the complete previous model is loaded.

    Raises:
        FileNotFoundError: ``directory`` is not a directory.
        vectab.errors.ModelFormatError: naming the file: no ``manifest.json`` (a directory
            written by hand or by an older vectab: re-save it), or a file that does not
            match it (missing, truncated, modified, added).
            Also, naming the file and the field: a JSON file that breaks its schema (wrong
            type, out-of-range value, unknown key or model_type), files that do not fit
            together (the config and the weights' header, the tokenizer's ids and the
            table's rows: a vocabulary mismatch, the labels and the output size), a file that
            is not a regular file (FIFO, directory, device), NaN or infinite weights. All of
            it is checked before the model is allocated.
    """
    directory = committed_dir(Path(directory))
    if not directory.is_dir():
        raise FileNotFoundError(
            f"{directory}: not a directory; pass the folder a model was saved to"
        )
    verify_manifest(directory, required=REQUIRED_FILES, content=MODEL_FILES + ("run.json",),
                    what="model directory")
    # every file is checked (types, ranges, agreement with the weights' header) before the
    # model is allocated, so its size is bounded by the weights the file actually holds
    cls, model_config, config = _build(directory / "config.json", directory / "model.safetensors")
    tokenizer = None
    tokenizer_path = directory / "tokenizer.json"
    if os.path.lexists(tokenizer_path):
        tokenizer = _schema.check_tokenizer(tokenizer_path, read_regular(tokenizer_path),
                                            _schema.table_rows(cls, model_config))
    labels_path = directory / "labels.json"
    labels = list(getattr(model_config, "tags", []) or [])
    if os.path.lexists(labels_path):
        labels = _schema.check_labels(labels_path, _read_json(labels_path), cls, model_config)
    run_path = directory / "run.json"
    if os.path.lexists(run_path):
        _schema.check_run(run_path, _read_json(run_path, allow_nan=True))  # a diverged run logs NaN
    char_vocab = _load_char_vocab(directory / "chars.json", model_config)
    model = cls(model_config)
    load_weights(model, directory / "model.safetensors")
    model.to(device)
    return LoadedModel(model, tokenizer, labels, config, char_vocab)
