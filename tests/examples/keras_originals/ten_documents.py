"""Learn an embedding from 10 labelled documents: one_hot -> pad_sequences -> Embedding ->
Flatten -> Dense (machinelearningmastery's "How to Use Word Embedding Layers").

A Keras tutorial program; vectab runs it with only its import lines changed.
"""

import numpy as np
from keras.layers import Dense, Embedding, Flatten
from keras.models import Sequential
from keras.preprocessing.sequence import pad_sequences
from keras_preprocessing.text import one_hot

# define documents
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
# define class labels
labels = np.array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
# integer encode the documents
vocab_size = 50
encoded_docs = [one_hot(d, vocab_size) for d in docs]
print(encoded_docs)
# pad documents to a max length of 4 words
max_length = 4
padded_docs = pad_sequences(encoded_docs, maxlen=max_length, padding='post')
print(padded_docs)
# define the model
model = Sequential([Embedding(vocab_size, 8, input_length=max_length), Flatten(),
                    Dense(1, activation='sigmoid')])
# compile the model
model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
# fit the model
model.fit(padded_docs, labels, epochs=50, verbose=0)
# evaluate the model
loss, accuracy = model.evaluate(padded_docs, labels, verbose=0)
print('Accuracy: %f' % (accuracy * 100))
# summarize the model
model.summary()

assert padded_docs.shape == (10, 4)
assert model.count_params() == 50 * 8 + 4 * 8 + 1  # 433, as Keras' summary says
assert loss < 0.69, loss  # below chance's log(2) after 50 epochs
assert accuracy >= 0.7, accuracy  # Keras reaches 70-100% here
print("ok")
