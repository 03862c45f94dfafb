"""vectab.viz."""
