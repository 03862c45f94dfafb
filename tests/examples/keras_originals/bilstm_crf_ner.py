"""A BiLSTM-CRF named-entity tagger, as the Keras tutorials write it with keras-contrib's CRF.

The program of Tobias Sterbak's "Sequence tagging with LSTM-CRFs" (and keras-contrib's
examples/conll2000_chunking_crf.py): Embedding -> Bidirectional(LSTM) -> TimeDistributed(Dense)
-> CRF, trained with ``compile(loss=crf.loss_function, metrics=[crf.accuracy])``; the output is
the Viterbi path one-hot. Changed from the tutorial: no ``recurrent_dropout=0.1`` in the LSTM
(vectab's LSTM runs fused kernels and raises NotImplementedError for recurrent dropout), CoNLL-
like sentences generated here (offline) instead of the Kaggle corpus and a slice
instead of sklearn's train_test_split. A Keras tutorial program (Keras 2 + keras-contrib);
vectab runs it with only its import lines changed.
"""

import numpy as np
import torch
from keras.layers import LSTM, Bidirectional, Dense, Embedding, TimeDistributed
from keras.models import Input, Model
from keras.preprocessing.sequence import pad_sequences
from keras_contrib.layers import CRF

rng = np.random.default_rng(0)
torch.manual_seed(0)  # Keras on the torch backend: the weights' seed
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


sentences = [sentence() for _ in range(1200)]
words = sorted({w for s, _ in sentences for w in s})
tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
n_words, n_tags = len(words), len(tags)
word2idx = {w: i + 1 for i, w in enumerate(words)}  # 0 is the padding
tag2idx = {t: i for i, t in enumerate(tags)}
max_len = 20

X = [[word2idx[w] for w in s] for s, _ in sentences]
X = pad_sequences(maxlen=max_len, sequences=X, padding="post", value=0)
y = [[tag2idx[t] for t in ts] for _, ts in sentences]
y = pad_sequences(maxlen=max_len, sequences=y, padding="post", value=tag2idx["O"])
y = [np.eye(n_tags)[i] for i in y]  # to_categorical(i, num_classes=n_tags)
X_tr, X_te, y_tr, y_te = X[:1000], X[1000:], y[:1000], y[1000:]

input = Input(shape=(max_len,))
model = Embedding(input_dim=n_words + 1, output_dim=20, input_length=max_len,
                  mask_zero=True)(input)  # 20-dim embedding
model = Bidirectional(LSTM(units=50, return_sequences=True))(model)  # variational biLSTM
model = TimeDistributed(Dense(50, activation="relu"))(model)  # a dense layer as suggested
crf = CRF(n_tags)  # CRF layer
out = crf(model)  # output
model = Model(input, out)
model.compile(optimizer="rmsprop", loss=crf.loss_function, metrics=[crf.accuracy])
model.summary()

history = model.fit(X_tr, np.array(y_tr), batch_size=32, epochs=5, validation_split=0.1,
                    verbose=1)
hist = history.history
print("loss per epoch:", np.round(hist["loss"], 3))

test_pred = model.predict(X_te, verbose=1)
pred = np.argmax(test_pred, -1)
true = np.argmax(np.array(y_te), -1)
real = X_te != 0
accuracy = (pred[real] == true[real]).mean()
print(f"token accuracy on held-out sentences: {accuracy:.3f}")

assert test_pred.shape == (200, max_len, n_tags)
assert (test_pred[~real] == 0).all()  # padded steps are not tagged
assert hist["loss"][-1] < 0.5 * hist["loss"][0], hist["loss"]
assert accuracy >= 0.9, accuracy
print("ok")
