"""The Keras originals are programs the tests run in a subprocess, not test modules: pytest's
--doctest-modules would import (so run) them during collection."""

collect_ignore_glob = ["keras_originals/*"]
