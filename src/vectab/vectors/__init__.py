"""vectab.vectors."""
