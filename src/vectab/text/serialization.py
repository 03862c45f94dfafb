"""Tokenizer JSON: read what :meth:`Tokenizer.to_json` or Keras' ``to_json`` wrote."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from vectab.errors import ModelFormatError
from vectab.text._checks import short
from vectab.text.tokenizer import Tokenizer

__all__ = ["tokenizer_from_json", "read_tokenizer_json"]


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuild a :class:`Tokenizer` from :meth:`Tokenizer.to_json` or Keras' ``to_json``.

    Keras equivalent: ``keras.preprocessing.text.tokenizer_from_json``. ``word_counts`` comes
    back as an ``OrderedDict`` and ``word_docs`` / ``index_docs`` as ``defaultdict(int)``, so
    the tokenizer can be fitted further (Keras' plain dicts raise ``KeyError`` then).

    Example:
        >>> tok = Tokenizer(oov_token="?")
        >>> tok.fit_on_texts(["a b b"])
        >>> tokenizer_from_json(tok.to_json()).texts_to_sequences(["b c"])
        [[2, 1]]
    """
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(f"`json_string` must be a JSON str, got {short(json_string)}.")
    return read_tokenizer_json(json_string, "`json_string`")


_OPTIONS = ("num_words", "filters", "lower", "split", "char_level", "oov_token", "document_count")
_TABLES = ("word_counts", "word_docs", "index_docs", "index_word", "word_index")


def _table(source: str, config: dict, name: str) -> dict:
    """One of the vocabulary tables: a JSON string (Keras' layout) holding an object."""
    from vectab._modelfile import parse_json, want_object, want_str

    field = f"config.{name}"
    text = want_str(source, field, config[name])
    try:
        return want_object(source, field, parse_json(source, text))
    except ModelFormatError as exc:
        if exc.field == field:
            raise
        detail = str(exc).removeprefix(f"{source}: ")
        raise ModelFormatError(
            source, field, f"expected a JSON object in a string, {detail}"
        ) from None


def _id_key(source: str, field: str, key: str) -> int:
    if not (key.isascii() and key.isdigit() and key == str(int(key)) and int(key) >= 1):
        raise ModelFormatError(
            source, field, f"expected word ids >= 1 as keys, found the key {key!r}"
        )
    return int(key)


def read_tokenizer_json(json_string: str | bytes | bytearray, source: str, *,
                        rows: int | None = None) -> Tokenizer:
    """Check a Tokenizer JSON field by field and rebuild it; problems name ``source``.

    With ``rows`` (the embedding table's), every id the tokenizer can produce must be below it.

    Raises ``ModelFormatError`` (a ``ValueError``) naming the field, e.g. ``tokenizer.json:
    config.word_index: expected distinct word ids (integers >= 1), found 3.5 for 'good'``.
    """
    from vectab._modelfile import parse_json, want_bool, want_int, want_object, want_str

    data = want_object(source, None, parse_json(source, json_string))
    if data.get("class_name", "Tokenizer") != "Tokenizer" or set(data) - {"class_name", "config"}:
        raise ModelFormatError(
            source,
            None,
            "expected {'class_name': 'Tokenizer', 'config': {...}} "
            f"as written by to_json, found the keys {sorted(data)}",
        )
    if "config" not in data:
        raise ModelFormatError(
            source,
            "config",
            "expected a Tokenizer JSON ({'class_name': "
            "'Tokenizer', 'config': {...}} as written by to_json), found no 'config'",
        )
    config = want_object(source, "config", data["config"])
    unknown = sorted(set(config) - set(_OPTIONS) - set(_TABLES))
    if unknown:
        raise ModelFormatError(
            source,
            "config",
            f"expected only Tokenizer options {sorted(_OPTIONS)} "
            f"and tables, found unknown Tokenizer options {unknown}",
        )
    missing = [name for name in _TABLES if name not in config]
    if missing:
        raise ModelFormatError(
            source, "config", f"expected the tables {list(_TABLES)}, found no {missing}"
        )
    options = {k: config[k] for k in _OPTIONS if k in config}
    for name in ("lower", "char_level"):
        if name in options:
            want_bool(source, f"config.{name}", options[name])
    for name in ("filters", "split"):
        if name in options:
            want_str(source, f"config.{name}", options[name])
    if "oov_token" in options:
        want_str(source, "config.oov_token", options["oov_token"], optional=True)
    if "num_words" in options:
        want_int(source, "config.num_words", options["num_words"], 1, optional=True)
    if "document_count" in options:
        want_int(source, "config.document_count", options["document_count"], 0)
    tables = {name: _table(source, config, name) for name in _TABLES}
    for name in ("word_counts", "word_docs"):
        for word, count in tables[name].items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ModelFormatError(
                    source,
                    f"config.{name}",
                    f"expected counts (integers >= 0), found {count!r} for {word!r}",
                )
    index_docs = {}
    for key, count in tables["index_docs"].items():
        index_docs[_id_key(source, "config.index_docs", key)] = count
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ModelFormatError(source, "config.index_docs", f"expected counts (integers >= 0), "
                                   f"found {count!r} for id {key}")
    word_index = tables["word_index"]
    seen: dict[int, str] = {}
    for word, i in word_index.items():
        if isinstance(i, bool) or not isinstance(i, int) or i < 1:
            raise ModelFormatError(
                source,
                "config.word_index",
                f"expected word ids (integers >= 1), found {i!r} for {word!r}",
            )
        if i in seen:
            raise ModelFormatError(
                source,
                "config.word_index",
                f"expected distinct word ids, found id {i} for both {seen[i]!r} and {word!r}",
            )
        seen[i] = word
    if rows and seen:
        needed = min(options.get("num_words") or 10**12, max(seen) + 1)
        if needed > rows:
            raise ModelFormatError(
                source,
                "config.word_index",
                f"vocabulary mismatch: expected word "
                f"ids below the embedding table's {rows} rows, found ids up to "
                f"{needed - 1}; the files come from different models",
            )
    index_word = {}
    for key, word in tables["index_word"].items():
        index_word[_id_key(source, "config.index_word", key)] = word
    if index_word != seen:
        diff = sorted(set(index_word.items()) ^ set(seen.items()), key=repr)[:3]
        raise ModelFormatError(
            source,
            "config.index_word",
            f"expected the inverse of word_index, found entries that disagree with it: {diff}",
        )
    try:
        tokenizer = Tokenizer(**options)
    except (TypeError, ValueError) as exc:
        raise ModelFormatError(
            source, "config", f"expected valid Tokenizer options, found: {exc}"
        ) from None
    tokenizer.word_counts = OrderedDict(tables["word_counts"])
    tokenizer.word_docs = defaultdict(int, tables["word_docs"])
    tokenizer.index_docs = defaultdict(int, index_docs)
    tokenizer.index_word = index_word
    tokenizer.word_index = word_index
    return tokenizer
