"""vectab.cli."""
