"""Patient side: the question journey, the summary, and keeping, sharing and deleting it.

Importing the package imports the view modules, which register their routes and error
handlers on `bp` (defined in .blueprint, so no view module imports this package's namespace).
"""

from . import about, check_answers, journey, language, recovery, summary_pages
from .blueprint import bp

__all__ = ["about", "bp", "check_answers", "journey", "language", "recovery", "summary_pages"]
