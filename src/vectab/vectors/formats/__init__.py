"""vectab.vectors.formats."""
