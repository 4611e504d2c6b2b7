"""``python -m pspctl``."""

from ._entry import main

main()
