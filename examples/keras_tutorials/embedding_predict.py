"""The Embedding layer on its own: 5 ids in, one 2-d vector per id out (Keras' first example).

A Keras tutorial program; vectab runs it with only its import lines changed.
"""

import numpy as np

from vectab.layers import Embedding
from vectab.models import Sequential

model = Sequential()
model.add(Embedding(5, 2, input_length=5))
model.compile('rmsprop', 'mse')

input_array = np.random.randint(5, size=(1, 5))
output_array = model.predict(input_array)
print(output_array)
model.summary()

assert output_array.shape == (1, 5, 2)
table = model.get_weights()[0]  # the (5, 2) embedding table: each output row is a row of it
assert table.shape == (5, 2)
np.testing.assert_allclose(output_array[0], table[input_array[0]], rtol=1e-6)
assert model.count_params() == 10
print("ok: one 2-d vector per id, 10 parameters")
