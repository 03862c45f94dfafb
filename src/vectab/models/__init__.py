"""vectab.models."""
