"""A BiLSTM-CRF named-entity tagger: Keras layers for the emissions, vectab's CRF on top.

The Keras tutorials use keras-contrib's ``CRF`` (Keras 2 only; Keras 3 has no CRF) with
``loss=crf.loss_function``. vectab's :class:`vectab.layers.CRF` has no such loss yet, so this
program trains the CRF's negative log-likelihood with a plain torch loop over the Keras-style
model - every piece is a torch module. CoNLL-like sentences are generated here (offline).
"""

import numpy as np
import torch

from vectab.layers import CRF, LSTM, Bidirectional, Dense, Embedding, Input, TimeDistributed
from vectab.models import Model
from vectab.text import Tokenizer, pad_sequences

rng = np.random.default_rng(0)
torch.manual_seed(0)
people = [["john"], ["mary"], ["anna", "smith"], ["peter", "jones"], ["li", "wei"], ["omar"]]
places = [["paris"], ["berlin"], ["new", "york"], ["rio"], ["cape", "town"], ["oslo"]]
orgs = [["acme"], ["google"], ["united", "nations"], ["siemens"], ["red", "cross"]]
templates = [["PER", "lives", "in", "LOC"], ["PER", "works", "for", "ORG", "in", "LOC"],
             ["ORG", "opened", "an", "office", "in", "LOC"], ["PER", "met", "PER", "at", "ORG"],
             ["the", "mayor", "of", "LOC", "visited", "ORG"]]
pools = {"PER": people, "LOC": places, "ORG": orgs}


def sentence():
    words, tags = [], []
    for slot in templates[rng.integers(len(templates))]:
        if slot in pools:
            entity = pools[slot][rng.integers(len(pools[slot]))]
            words += entity
            tags += ["B-" + slot] + ["I-" + slot] * (len(entity) - 1)
        else:
            words.append(slot)
            tags.append("O")
    return words, tags


data = [sentence() for _ in range(300)]
tag_names = ["<pad>", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
tag_index = {t: i for i, t in enumerate(tag_names)}
tokenizer = Tokenizer(lower=True, filters="")
tokenizer.fit_on_texts([" ".join(w) for w, _ in data])
max_len = 10
X = pad_sequences(tokenizer.texts_to_sequences([" ".join(w) for w, _ in data]), maxlen=max_len,
                  padding="post")
Y = pad_sequences([[tag_index[t] for t in tags] for _, tags in data], maxlen=max_len,
                  padding="post")
n_words, n_tags = len(tokenizer.word_index) + 1, len(tag_names)

# the Keras model for the emissions
inputs = Input(shape=(max_len,), dtype="int32")
x = Embedding(input_dim=n_words, output_dim=20, mask_zero=True)(inputs)
x = Bidirectional(LSTM(units=32, return_sequences=True))(x)
emissions = TimeDistributed(Dense(n_tags))(x)
model = Model(inputs, emissions)
crf = CRF(n_tags)
model.summary()

# train the CRF's negative log-likelihood, a plain torch loop
ids, tags = torch.as_tensor(X[:240]), torch.as_tensor(Y[:240])
optimizer = torch.optim.Adam([*model.parameters(), *crf.parameters()], lr=0.01)
losses = []
for _epoch in range(8):
    for i in range(0, len(ids), 32):
        batch, gold = ids[i:i + 32], tags[i:i + 32]
        loss = crf.nll(model(batch), gold, batch != 0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    losses.append(loss.item())
print("CRF loss per epoch:", np.round(losses, 3))

# Viterbi decoding on the held-out sentences
model.eval()
test_ids, test_tags = torch.as_tensor(X[240:]), torch.as_tensor(Y[240:])
with torch.no_grad():
    mask = test_ids != 0
    predicted = crf(model(test_ids), mask=mask)
accuracy = float((predicted[mask] == test_tags[mask]).float().mean())
print(f"token accuracy on held-out sentences: {accuracy:.3f}")

assert predicted.shape == test_ids.shape
assert (predicted[~mask] == -100).all()  # padded steps are not tagged
assert losses[-1] < 0.2 * losses[0], losses
assert accuracy >= 0.95, accuracy
print("ok")
