"""`python -m vectab ...` runs the `vectab` command (also under `torchrun -m vectab`)."""

from vectab.cli.main import main

if __name__ == "__main__":
    main()
