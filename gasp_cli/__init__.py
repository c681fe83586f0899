"""gasp: the toolkit of a Groupe d'amélioration des services publics."""

__version__ = "0.3.1"
