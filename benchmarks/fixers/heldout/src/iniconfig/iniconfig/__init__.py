"""brain-dead simple parser for ini-style files.
(C) Ronny Pfannschmidt, Holger Krekel -- MIT licensed
"""

__all__ = ["COMMENTCHARS", "ParseError", "iscommentline"]

from ._parse import COMMENTCHARS
from ._parse import iscommentline
from .exceptions import ParseError
