"""The clinical content: versioned TOML data files and the loader that validates them."""

from .loader import ContentError, load_content
from .schema import OPTION_FIELDS, Content

__all__ = ["OPTION_FIELDS", "Content", "ContentError", "load_content"]
