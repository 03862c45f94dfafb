"""vectab.text."""
