"""Use the public API the way a user does, for a type checker to read (tests/test_typing.py).

Nothing here runs: the code sits in functions that are never called (pytest still imports the
file for doctests). Each result goes into an annotated variable, so a public name or a return
type that reaches a checker as ``Any`` is an error under ``--disallow-any-expr``.
"""

from __future__ import annotations

import numpy as np
import torch

import vectab
import vectab.vectors.evaluate
from vectab.engine.callbacks import History
from vectab.models import ClassifierConfig
from vectab.train.saving import LoadedModel


def text_pipeline(texts: list[str]) -> np.ndarray:
    tokenizer: vectab.Tokenizer = vectab.Tokenizer(num_words=1000, oov_token="<unk>")
    tokenizer.fit_on_texts(texts)
    sequences: list[list[int]] = tokenizer.texts_to_sequences(texts)
    word_index: dict[str, int] = tokenizer.word_index
    restored: vectab.Tokenizer = vectab.tokenizer_from_json(tokenizer.to_json())
    back: list[str] = restored.sequences_to_texts(sequences)
    assert len(back) == len(word_index) or True
    padded: np.ndarray = vectab.pad_sequences(sequences, maxlen=20, padding="post")
    mask: np.ndarray = vectab.sequences_to_mask(padded)
    tensor_mask: torch.Tensor = vectab.sequences_to_mask(torch.from_numpy(padded))
    lengths: torch.Tensor = vectab.lengths_to_mask(torch.tensor([3, 1]), maxlen=20)
    assert mask.dtype == np.bool_ and tensor_mask.dtype == lengths.dtype == torch.bool
    return padded


def embedding_layer(ids: torch.Tensor, matrix: np.ndarray) -> torch.Tensor:
    layer: vectab.Embedding = vectab.Embedding(1000, 50, mask_zero=True)
    rows: int = layer.num_embeddings
    width: int = layer.embedding_dim
    weight: torch.Tensor = layer.weight
    out: torch.Tensor = layer.forward(ids)  # nn.Module.__call__ is Any in torch's own types
    mask: torch.Tensor | None = layer.compute_mask(ids)
    frozen: vectab.Embedding = vectab.Embedding.from_pretrained(torch.from_numpy(matrix))
    assert rows * width == weight.numel() and mask is not None and frozen is not None
    return out


def word_vectors(path: str, words: list[str]) -> list[tuple[str, float]]:
    vectors: vectab.Vectors = vectab.load_vectors(path, limit=10_000)
    size: int = vectors.vector_size
    vector: np.ndarray = vectors.get_vector("king")
    known: bool = vectors.has_vector("queen")
    score: float = vectors.similarity("king", "queen")
    neighbours: list[tuple[str, float]] = vectors.most_similar("king", topn=5)
    analogy: list[tuple[str, float]] = vectors.most_similar(
        positive=["king", "woman"], negative=["man"], topn=1
    )
    odd: str = vectors.doesnt_match(["king", "queen", "banana"])
    matrix, report = vectab.build_embedding_matrix({w: i + 1 for i, w in enumerate(words)}, vectors)
    table: np.ndarray = matrix
    coverage: vectab.CoverageReport = report
    found: int = coverage.num_found
    summary: str = coverage.summary()
    assert size == len(vector) == table.shape[1] and known and score and odd and found and summary
    scores, ids = vectab.vectors.topk_cosine(torch.randn(2, size), vectors.tensor(), 3)
    top: tuple[torch.Tensor, torch.Tensor] = (scores, ids)
    pairs: vectab.vectors.evaluate.WordPairsResult = vectab.evaluate_word_pairs(vectors, path)
    spearman: float = pairs.spearman
    analogies: vectab.vectors.evaluate.AnalogyResult = vectab.evaluate_word_analogies(vectors, path)
    accuracy: float = analogies.accuracy
    own: vectab.Vectors = vectab.Vectors(words, np.zeros((len(words), 3), np.float32))
    assert top and spearman and accuracy and len(own)
    return neighbours + analogy


def classifier(train: object, valid: object) -> list[str | int | list[str | int]]:
    config = ClassifierConfig(vocab_size=1000, embedding_dim=50, num_classes=2)
    model: vectab.TextClassifier = vectab.TextClassifier(config)
    trainer: vectab.Trainer = vectab.Trainer(model, lr=1e-3, epochs=2, batch_size=32)
    history: History = trainer.fit(train, valid)
    losses: list[float] = history.history["loss"]
    metrics: dict[str, float] = trainer.evaluate(valid)
    predicted: np.ndarray | list[list[int]] = trainer.predict(valid)
    ids, mask = vectab.collate([[1, 2, 3], [4]])
    logits: torch.Tensor = model.forward(ids, mask)  # nn.Module.__call__ is Any in torch's types
    assert len(predicted) and logits.dim() == 2
    loaded: LoadedModel = vectab.load_model("runs/sst2")
    proba: np.ndarray = loaded.predict_proba(["a good film"])
    labels: list[str | int | list[str | int]] = loaded.predict(["a good film", "a bad one"])
    assert losses and metrics and len(proba) == 1
    return labels


def word2vec(sentences: list[list[str]]) -> vectab.Vectors:
    model: vectab.Word2Vec = vectab.Word2Vec(sentences, vector_size=50, min_count=1, epochs=1)
    words, effective = model.train(sentences, total_examples=len(sentences), epochs=1)
    counts: tuple[int, int] = (words, effective)
    loss: float = model.get_latest_training_loss()
    vectors: vectab.Vectors = model.wv
    assert counts and loss >= 0
    return vectors


def errors(path: str) -> str:
    try:
        vectab.load_vectors(path)
    except vectab.VectorFormatError as error:
        message: str = str(error)
        return message
    except vectab.OutOfVocabularyError:
        return "missing"
    return ""
