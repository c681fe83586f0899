"""Documents of `gasp render`, each with its queries and its view in one module (issue 13's shape).

Each module has `build(records, day, …) -> data`: what its templates show, computed
from the records and the day, with every name and count already decided.
"""
