"""``python -m pspctl``."""

from .cli import main

main()
