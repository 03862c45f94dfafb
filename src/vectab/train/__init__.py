"""vectab.train."""
