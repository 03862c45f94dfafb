"""A generated corpus of valid and malformed vector files, for the differential parser tests.

Each `Case` is the bytes of one file, the ``load_vectors`` options to read it with, and
``gensim``: whether gensim's ``load_word2vec_format`` reads it the same way (a plain valid
file), so its result can be compared too. Nothing here is random: the same cases every run.
"""

from __future__ import annotations

import bz2
import gzip
import io
import struct
import zipfile
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Case", "cases"]

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    format: str = "auto"
    options: dict[str, Any] = field(default_factory=dict)
    gensim: bool = False  # a valid file gensim reads identically (binary / no_header from format)
    suffix: str = ".txt"


def _rows(n: int = 5, dim: int = 3) -> list[tuple[bytes, list[str]]]:
    words = ([b"the", b"of", b"caf\xc3\xa9", b"\xe6\x97\xa5\xe6\x9c\xac", b"#"]
             + [b"w%d" % i for i in range(n)])
    return [(words[i], [f"{(i + 1) * 0.125 * (-1) ** j:.6g}" for j in range(dim)])
            for i in range(n)]


def _text(rows, header: bool | str = True, eol: bytes = b"\n", sep: bytes = b" ") -> bytes:
    body = b"".join(w + sep + " ".join(v).encode() + eol for w, v in rows)
    if header is True:
        return f"{len(rows)} {len(rows[0][1])}".encode() + eol + body
    if isinstance(header, str):
        return header.encode() + eol + body
    return body


def _binary(words, matrix, header: str | None = None, newline: bool = True) -> bytes:
    matrix = np.asarray(matrix, dtype="<f4")
    out = (header if header is not None else f"{len(words)} {matrix.shape[1]}\n").encode()
    for w, row in zip(words, matrix):
        out += w + b" " + row.tobytes() + (b"\n" if newline else b"")
    return out


def _zip(data: bytes, name: str = "v.txt") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buf.getvalue()


def _flip(data: bytes, at: int) -> bytes:
    damaged = bytearray(data)
    damaged[at] ^= 0xFF
    return bytes(damaged)


def _text_cases() -> list[Case]:
    rows = _rows()
    good = _text(rows)
    glove = _text(rows, header=False)
    out = [
        Case("valid word2vec", good, "word2vec", gensim=True),
        Case("valid glove", glove, "glove", gensim=True),
        Case("valid auto", good, "auto"),
        Case("valid crlf", _text(rows, eol=b"\r\n"), "word2vec", gensim=True),
        Case("valid trailing space",
             good.replace(b"\n", b" \n")[:-2].replace(b"3 \n", b"3\n", 1) + b"\n",
             "word2vec", gensim=True),
        Case("valid float64", good, "word2vec", {"dtype": "float64"}, gensim=True),
        Case("valid float16", good, "word2vec", {"dtype": "float16"}),
        Case("no final newline", good[:-1], "word2vec", gensim=True),
        Case("word with spaces", glove + b"at name@x.com 1 2 3\n", "glove"),
        Case("many rows", _text(_rows(400, 7)), "word2vec", gensim=True),
        Case("many rows float16", _text(_rows(400, 7)), "word2vec", {"dtype": "float16"}),
        Case("long mantissa", good + b"", "word2vec"),
        Case("exact-path numbers",
             _text([(b"a", ["0.1234567890123456789", "1e-30", "-2.5E+3"])]), "word2vec",
             gensim=True),
        Case("empty file", b"", "auto"),
        Case("only whitespace", b"\n \n", "glove"),
        Case("header only", b"0 3\n", "word2vec"),
        Case("header only count 2", b"2 3\n", "word2vec"),
        Case("bad header letters", b"abc def\n" + glove, "word2vec"),
        Case("bad header three fields", b"1 2 3\n" + glove, "word2vec"),
        Case("bad header dim 0", b"5 0\n" + glove, "word2vec"),
        Case("header count too big", _text(rows, header="9 3"), "word2vec"),
        Case("header count too small", _text(rows, header="2 3"), "word2vec"),
        Case("header dim wrong", _text(rows, header="5 4"), "word2vec"),
        Case("header dim huge", _text(rows, header="5 1000000000000"), "word2vec"),
        Case("header dim huge skip", _text(rows, header="5 1000000000000"),
             "word2vec", {"on_error": "skip"}),
        Case("header rows huge", _text(rows, header="1000000000000 3"), "word2vec"),
        Case("glove read of word2vec", good, "glove"),
        Case("short row", good + b"cat 1 2\n", "word2vec"),
        Case("long row", good + b"cat 1 2 3 4\n", "glove"),
        Case("short row skip", glove + b"cat 1 2\n", "glove", {"on_error": "skip"}),
        Case("not a number", glove + b"cat 1 x 3\n", "glove"),
        Case("empty line", glove[:20] + b"\n" + glove[20:], "glove"),
        Case("leading space", glove + b" 1 2 3\n", "glove"),
        Case("duplicate word", glove + b"the 1 2 3\n", "glove"),
        Case("duplicate word skip", glove + b"the 1 2 3\n", "glove", {"on_error": "skip"}),
        Case("NUL in word", glove + b"c\x00t 1 2 3\n", "glove"),
        Case("NUL in number", glove + b"cat 1 2\x00 3\n", "glove"),
        Case("BOM word2vec", BOM + good, "word2vec"),
        Case("BOM glove", BOM + glove, "glove"),
        Case("BOM auto", BOM + glove, "auto"),
        Case("BOM latin-1", BOM + glove, "glove", {"encoding": "latin-1"}),
        Case("tab after word", _text(rows, header=False, sep=b"\t"), "glove"),
        Case("tab after word word2vec", _text(rows, sep=b"\t"), "word2vec"),
        Case("tab one line", glove + b"cat\t1 2 3\n", "glove"),
        Case("tab skip", glove + b"cat\t1 2 3\n", "glove", {"on_error": "skip"}),
        Case("tab between numbers", glove + b"cat 1\t2 3\n", "glove"),
        Case("1e400", glove + b"cat 1 1e400 3\n", "glove"),
    ]
    for dtype, value in [("float32", "3.5e38"), ("float32", "-3.5e38"), ("float16", "70000"),
                         ("float16", "-65520"), ("float32", "nan"),
                         ("float16", "inf"), ("float64", "1e308")]:
        line = f"cat 1 {value} 3\n".encode()
        out.append(Case(f"value {value} {dtype}", glove + line, "glove", {"dtype": dtype}))
        out.append(Case(f"value {value} {dtype} skip", glove + line,
                        "glove", {"dtype": dtype, "on_error": "skip"}))
    bad_utf8 = glove + b"caf\xe9 1 2 3\nna\xefve 4 5 6\n"
    for errors in ("strict", "replace", "ignore"):
        out.append(Case(f"invalid utf-8 {errors}", bad_utf8, "glove", {"unicode_errors": errors}))
        out.append(Case(f"invalid utf-8 {errors} skip", bad_utf8,
                        "glove", {"unicode_errors": errors, "on_error": "skip"}))
        out.append(Case(f"all-invalid word {errors}", glove + b"\xff\xfe 1 2 3\n",
                        "glove", {"unicode_errors": errors}))
        out.append(Case(f"cut utf-8 {errors}", good[:-1] + b"\n\xe3\x81 7 8 9\n",
                        "word2vec", {"unicode_errors": errors}))
    out.append(Case("latin-1 words", glove + "façade 1 2 3\n".encode("latin-1"),
                    "glove", {"encoding": "latin-1"}))
    out.append(Case("cp852 words", glove + "mšě 1 2 3\n".encode("cp852"),
                    "glove", {"encoding": "cp852"}))
    out.append(Case("vocab filter", glove + b"cat 1 2 3\n", "glove", {"vocab": ["cat", "of", "#"]}))
    # a filtered load skips the lines it does not want unparsed, on both paths
    for name, line in [("short", b"dog 1 2\n"), ("nan", b"dog 1 nan 3\n"), ("tab", b"dog\t1 2 3\n"),
                       ("utf-8", b"d\xe9g 1 2 3\n"),
                       ("empty", b"\n"), ("overflow", b"dog 1 4e38 3\n")]:
        for wanted in (["cat", "of"], ["cat", "dog", "d\ufffdg"]):
            out.append(Case(f"vocab filter, bad {name} line, wanted {wanted[-1]}",
                            glove + line + b"cat 1 2 3\n", "glove", {"vocab": wanted}))
    out.append(Case("limit", good, "word2vec", {"limit": 2}))
    return out


def _binary_cases() -> list[Case]:
    words = [b"the", b"of", b"caf\xc3\xa9", b"x"]
    matrix = np.arange(12, dtype=np.float32).reshape(4, 3) / 8
    good = _binary(words, matrix)
    nan = matrix.copy()
    nan[2, 1] = np.nan
    big = matrix.copy()
    big[1, 0] = 70000.0
    inf = matrix.copy()
    inf[3, 2] = -np.inf
    return [
        Case("binary valid", good, "word2vec-binary", gensim=True, suffix=".bin"),
        Case("binary valid float64", good, "word2vec-binary", {"dtype": "float64"},
             gensim=True, suffix=".bin"),
        Case("binary valid gensim style", _binary(words, matrix, newline=False),
             "word2vec-binary", gensim=True,
             suffix=".bin"),
        Case("binary auto", good, "auto", suffix=".bin"),
        Case("binary BOM", BOM + good, "word2vec-binary", suffix=".bin"),
        Case("binary truncated mid-vector", good[:-7], "word2vec-binary", suffix=".bin"),
        Case("binary truncated mid-vector skip", good[:-7], "word2vec-binary",
             {"on_error": "skip"}, suffix=".bin"),
        Case("binary truncated mid-word", good[: good.index(b"x ")+1],
             "word2vec-binary", suffix=".bin"),
        Case("binary header dims wrong", _binary(words, matrix, header="4 4\n"),
             "word2vec-binary", suffix=".bin"),
        Case("binary header dims smaller", _binary(words, matrix, header="4 2\n"),
             "word2vec-binary", suffix=".bin"),
        Case("binary header count big", _binary(words, matrix, header="9 3\n"),
             "word2vec-binary", suffix=".bin"),
        Case("binary header count small", _binary(words, matrix, header="2 3\n"),
             "word2vec-binary", suffix=".bin"),
        Case("binary header huge",
             _binary(words, matrix, header="4000000000 3\n"), "word2vec-binary",
             suffix=".bin"),
        Case("binary header dim huge skip",
             _binary(words, matrix, header="4 1000000000000\n"), "word2vec-binary",
             {"on_error": "skip"}, suffix=".bin"),
        Case("binary nan", _binary(words, nan), "word2vec-binary", suffix=".bin"),
        Case("binary inf skip", _binary(words, inf), "word2vec-binary",
             {"on_error": "skip"}, suffix=".bin"),
        Case("binary 70000 float16", _binary(words, big), "word2vec-binary",
             {"dtype": "float16"}, suffix=".bin"),
        Case("binary 70000 float16 skip", _binary(words, big), "word2vec-binary",
             {"dtype": "float16", "on_error": "skip"}, suffix=".bin"),
        Case("binary invalid utf-8 strict",
             _binary([b"a", b"b\xff", b"c", b"d"], matrix), "word2vec-binary",
             suffix=".bin"),
        Case("binary invalid utf-8 replace",
             _binary([b"a", b"b\xff", b"c", b"d"], matrix), "word2vec-binary",
             {"unicode_errors": "replace"}, suffix=".bin"),
        Case("binary invalid utf-8 ignore",
             _binary([b"a", b"b\xff", b"c", b"d"], matrix), "word2vec-binary",
             {"unicode_errors": "ignore"}, suffix=".bin"),
        Case("binary latin-1", _binary([b"a", b"caf\xe9", b"c", b"d"], matrix), "word2vec-binary",
             {"encoding": "latin-1"}, suffix=".bin"),
        Case("binary duplicate", _binary([b"a", b"b", b"a", b"d"], matrix),
             "word2vec-binary", suffix=".bin"),
        Case("binary no space", b"1 3\n" + b"\x01" * 70000, "word2vec-binary", suffix=".bin"),
        Case("binary vocab", good, "word2vec-binary", {"vocab": ["of", "x"]}, suffix=".bin"),
        Case("binary text inside", b"2 3\na 1 2 3\nb 4 5 6\n", "word2vec-binary", suffix=".bin"),
        Case("binary header only", b"0 3\n", "word2vec-binary", suffix=".bin"),
        Case("binary bad header", b"x y\n" + good[4:], "word2vec-binary", suffix=".bin"),
        Case("binary fasttext-like magic", struct.pack("<2i", 1, 2) + good,
             "word2vec-binary", suffix=".bin"),
    ]


def _compressed_cases() -> list[Case]:
    text = _text(_rows(200, 5))
    binary = _binary([b"w%d" % i for i in range(50)], np.ones((50, 4)))
    gz, bz, zp = gzip.compress(text), bz2.compress(text), _zip(text)
    gzb = gzip.compress(binary)
    return [
        Case("gz valid", gz, "word2vec", gensim=True, suffix=".txt.gz"),
        Case("gz auto", gz, "auto", suffix=".txt.gz"),
        Case("bz2 valid", bz, "word2vec", suffix=".txt.bz2"),
        Case("zip valid", zp, "auto", suffix=".zip"),
        Case("gz binary valid", gzb, "word2vec-binary", gensim=True, suffix=".bin.gz"),
        Case("gz truncated", gz[: len(gz) // 2], "word2vec", suffix=".txt.gz"),
        Case("gz truncated auto", gz[: len(gz) // 2], "auto", suffix=".txt.gz"),
        Case("gz bad crc", _flip(gz, len(gz) - 6), "word2vec", suffix=".txt.gz"),
        Case("gz bad crc skip", _flip(gz, len(gz) - 6), "word2vec",
             {"on_error": "skip"}, suffix=".txt.gz"),
        Case("gz garbage after magic", b"\x1f\x8b" + bytes(range(256)) * 4,
             "auto", suffix=".txt.gz"),
        Case("gz binary truncated", gzb[: len(gzb) // 2], "word2vec-binary", suffix=".bin.gz"),
        Case("bz2 truncated", bz[: len(bz) // 2], "word2vec", suffix=".txt.bz2"),
        Case("bz2 corrupt", _flip(bz, len(bz) // 2), "word2vec", suffix=".txt.bz2"),
        Case("zip truncated", zp[: len(zp) // 2], "auto", suffix=".zip"),
        Case("zip corrupt member", _flip(zp, 45), "word2vec", suffix=".zip"),
        Case("zip two members", _zip(text, "a.txt")[:-22] + b"", "auto", suffix=".zip"),
        Case("not compressed despite name", text, "auto", suffix=".txt.gz"),
        Case("glove word BZh", b"BZh 1 2\nof 3 4\n", "auto", suffix=".txt"),
        Case("gz of a long line", gzip.compress(b"1 3\n" + b"a" * (3 << 20)),
             "word2vec", suffix=".txt.gz"),
    ]


def cases() -> list[Case]:
    """Every case: text, word2vec binary and compressed inputs, valid and malformed."""
    return _text_cases() + _binary_cases() + _compressed_cases()
