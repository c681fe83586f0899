"""The `gasp` console script.

A gasp command is a short-lived process whose objects mostly live until it ends:
the cyclic garbage collector only costs time there (a tenth of `gasp --help`,
more when thousands of records are kept with their YAML nodes). It is switched
off before anything else is imported. Library use and the tests keep it.
"""

import gc

gc.disable()

from .cli import main  # noqa: E402

__all__ = ["main"]
