"""Readers and writers of word-vector files: word2vec text and binary, GloVe, fastText .vec
and .bin, and vectab's own memory-mapped format; compression and format detection."""

from vectab.vectors.formats._report import LoadReport
from vectab.vectors.formats.detect import FORMATS, detect_format
from vectab.vectors.formats.fasttext import FastTextSubwords

__all__ = ["FORMATS", "LoadReport", "FastTextSubwords", "detect_format"]
