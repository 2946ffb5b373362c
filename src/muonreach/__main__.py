"""``python -m muonreach`` is the same as the ``muonreach`` command."""

from .cli import main

main()
