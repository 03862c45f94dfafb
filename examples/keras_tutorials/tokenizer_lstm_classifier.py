"""A text classifier the usual Keras way: Tokenizer -> pad_sequences -> Embedding(mask_zero=True)
-> LSTM -> Dense, on short reviews of varying length (generated here, so it runs offline).

A Keras tutorial program; vectab runs it with only its import lines changed.
"""

import numpy as np

from vectab.layers import LSTM, Dense, Embedding
from vectab.models import Sequential
from vectab.text import Tokenizer, pad_sequences

rng = np.random.default_rng(0)
good = "great good excellent wonderful loved fine superb enjoyable".split()
bad = "awful bad terrible boring hated poor dull weak".split()
filler = "the movie film plot was and a it actors story i this very really quite".split()


def review(label):
    words = list(rng.choice(filler, size=rng.integers(2, 11)))
    words.insert(rng.integers(0, len(words) + 1), rng.choice(good if label else bad))
    return " ".join(words)


labels = rng.integers(0, 2, size=400)
texts = [review(y) for y in labels]

tokenizer = Tokenizer(num_words=1000, oov_token="<OOV>")
tokenizer.fit_on_texts(texts[:320])
sequences = tokenizer.texts_to_sequences(texts)
data = pad_sequences(sequences, maxlen=12)  # pre-padding, Keras' default
vocab_size = len(tokenizer.word_index) + 1
x_train, y_train = data[:320], labels[:320]
x_test, y_test = data[320:], labels[320:]

model = Sequential()
model.add(Embedding(vocab_size, 16, mask_zero=True))
model.add(LSTM(16))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.1, verbose=0)
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
model.summary()
print(f"test accuracy: {accuracy:.3f}")

assert data.shape == (400, 12) and (data[:, 0] == 0).any()  # rows of several lengths
assert history.history["loss"][-1] < history.history["loss"][0]
assert "val_accuracy" in history.history
assert accuracy >= 0.8, accuracy
print("ok")
