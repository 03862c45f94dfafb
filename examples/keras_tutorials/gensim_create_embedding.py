"""Word2Vec vectors trained with gensim, copied into a Keras Embedding by the tutorials'
``create_embedding`` function (np.zeros((num_words, EMBEDDING_DIM)) filled row by row).

A Keras + gensim tutorial program; vectab runs it with only its import lines changed.
"""

import numpy as np

from vectab.layers import Dense, Embedding, GlobalAveragePooling1D
from vectab.models import Sequential, Word2Vec
from vectab.text import Tokenizer, pad_sequences

EMBEDDING_DIM = 32
MAX_NUM_WORDS = 40
rng = np.random.default_rng(0)
animals = "cat dog horse cow sheep goat pig duck hen mouse".split()
tools = "hammer saw drill wrench chisel pliers spanner axe file rasp".split()
animal_verbs = "eats runs sleeps grazes barks chases".split()
tool_verbs = "cuts drills bolts grinds fixes bores".split()


def sentence(topic):
    nouns, verbs = (animals, animal_verbs) if topic == 0 else (tools, tool_verbs)
    return [rng.choice(nouns), rng.choice(verbs), "the", rng.choice(nouns)]


topics = rng.integers(0, 2, size=400)
sentences = [sentence(t) for t in topics]
w2v = Word2Vec(sentences, vector_size=EMBEDDING_DIM, window=3, min_count=1, sg=1, negative=5,
               epochs=10, seed=1, workers=1)

tokenizer = Tokenizer(num_words=MAX_NUM_WORDS)
tokenizer.fit_on_texts([" ".join(s) for s in sentences])
word_index = tokenizer.word_index
num_words = min(MAX_NUM_WORDS, len(word_index) + 1)


def create_embedding(word_index, model, num_words, EMBEDDING_DIM):
    embedding_matrix = np.zeros((num_words, EMBEDDING_DIM))
    for word, i in word_index.items():
        if i >= num_words:
            continue
        if word in model.wv.key_to_index:
            embedding_matrix[i] = model.wv[word]
    return embedding_matrix


embedding_matrix = create_embedding(word_index, w2v, num_words, EMBEDDING_DIM)
x = pad_sequences(tokenizer.texts_to_sequences([" ".join(s) for s in sentences]), maxlen=4)
model = Sequential([Embedding(num_words, EMBEDDING_DIM, weights=[embedding_matrix],
                              trainable=False),
                    GlobalAveragePooling1D(),
                    Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, topics, epochs=10, batch_size=32, verbose=0)
loss, accuracy = model.evaluate(x, topics, verbose=0)
print(f"accuracy on word2vec features: {accuracy:.3f}")

assert embedding_matrix.shape == (num_words, EMBEDDING_DIM)
assert not embedding_matrix[0].any()  # row 0 (padding) stays zero
np.testing.assert_allclose(embedding_matrix[word_index["cat"]], w2v.wv["cat"], rtol=1e-6)
assert history.history["loss"][-1] < history.history["loss"][0]
unit = embedding_matrix / np.maximum(np.linalg.norm(embedding_matrix, axis=1, keepdims=True), 1e-9)
rows_a = unit[[word_index[w] for w in animals]]
rows_t = unit[[word_index[w] for w in tools]]
within, between = (rows_a @ rows_a.T).mean(), (rows_a @ rows_t.T).mean()
print(f"cosine within a topic {within:.3f}, between topics {between:.3f}")
assert within > between  # the copied rows keep word2vec's geometry
assert np.array_equal(model.layers[0].get_weights()[0], embedding_matrix.astype("float32"))
print("ok")
