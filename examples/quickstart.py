"""From sentences to vectors: tokenize, pad, mask, embed — the Keras way, in PyTorch.

    python examples/quickstart.py

Keras users will recognise every step: ``Tokenizer`` -> ``texts_to_sequences`` ->
``pad_sequences`` -> ``Embedding(mask_zero=True)``. The layer is a ``torch.nn.Module``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vectab.nn import Embedding
from vectab.text import Tokenizer, pad_sequences

SENTENCES = [
    "The cat sat on the mat.",
    "A dog chased the cat!",
    "Dogs and cats are friends, mostly.",
    "The mat was red.",
]


def main() -> None:
    torch.manual_seed(0)

    # 1. Text -> integer ids (Keras semantics: ids start at 1, 0 is kept for padding).
    tokenizer = Tokenizer(oov_token="<OOV>")
    tokenizer.fit_on_texts(SENTENCES)
    sequences = tokenizer.texts_to_sequences(SENTENCES)
    print(f"word_index ({len(tokenizer.word_index)} words): {tokenizer.word_index}")
    for sentence, ids in zip(SENTENCES, sequences):
        print(f"  {sentence!r:40} -> {ids}")

    # 2. Pad to one length (Keras' default is padding="pre"; "post" reads more easily here).
    padded = pad_sequences(sequences, maxlen=7, padding="post")
    print("padded ids (batch, seq):")
    print(padded)

    # 3. Embed: input_dim = len(word_index) + 1 because id 0 is the padding id.
    input_dim, output_dim = len(tokenizer.word_index) + 1, 4
    layer = Embedding(input_dim, output_dim, mask_zero=True)
    ids = torch.as_tensor(padded, dtype=torch.long)
    vectors = layer(ids)
    mask = layer.compute_mask(ids)
    print("mask (True = real token):")
    print(mask.int())
    print(f"output shape: {tuple(vectors.shape)}  (batch, seq, output_dim)")
    print(
        f"parameters: {layer.count_params()} = input_dim {input_dim} x output_dim {output_dim}"
    )

    # 4. A lookup is a one-hot row times the table.
    one_hot = F.one_hot(ids, input_dim).to(layer.weight.dtype)
    same = torch.allclose(vectors, one_hot @ layer.weight)
    print(f"lookup == one_hot(ids) @ table: {same}")


if __name__ == "__main__":
    main()
