"""A functional model on a pretrained matrix: Input -> Embedding(weights=[matrix]) -> LSTM -> Dense.

A Keras tutorial program; vectab runs it with only its import lines changed.
"""

import numpy as np
from keras.layers import LSTM, Dense, Embedding, Input
from keras.models import Model

rng = np.random.default_rng(0)
embedding_matrix = rng.standard_normal((5000, 200)).astype("float32")  # a stand-in for word2vec

input_ids = Input(shape=(10,), dtype="int32")
embedding_layer = Embedding(input_dim=5000, output_dim=200, weights=[embedding_matrix],
                            trainable=True)
x = embedding_layer(input_ids)
x = LSTM(32)(x)
outputs = Dense(1, activation="sigmoid")(x)
model = Model(inputs=input_ids, outputs=outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()

# a toy task: is the first id of the row below 2500?
x_train = rng.integers(1, 5000, size=(512, 10))
y_train = (x_train[:, 0] < 2500).astype("float32")
start = model.get_weights()[0].copy()
history = model.fit(x_train, y_train, epochs=6, batch_size=32, verbose=0)
losses = history.history["loss"]
print("loss per epoch:", np.round(losses, 4))

assert np.array_equal(start, embedding_matrix)  # weights=[matrix] is the starting table
assert not np.array_equal(model.get_weights()[0], embedding_matrix)  # trainable=True: it moved
assert losses[-1] < 0.8 * losses[0], losses
assert model.predict(x_train[:4], verbose=0).shape == (4, 1)
print("ok: the pretrained table trained with the LSTM, loss", round(losses[0], 3), "->",
      round(losses[-1], 3))
