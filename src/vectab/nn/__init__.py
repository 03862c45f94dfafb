"""vectab.nn."""
