"""The clinical content: versioned TOML data files and the loader that validates them."""

from .loader import ContentError, load_content, load_contents
from .schema import OPTION_FIELDS, Content
from .translation import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "OPTION_FIELDS", "Content", "ContentError",
           "load_content", "load_contents"]
