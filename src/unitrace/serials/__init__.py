"""Serial numbers: drawn from the operating system's CSPRNG, and how guessable they are.

Pure: no database, no network; the only I/O is reading random bytes (``os.urandom`` unless a
source is given, as tests do for reproducible draws).

>>> from unitrace.registry.model import SerialFormat
>>> serials = draw_serials(SerialFormat(length=12), 3)
>>> [len(serial) for serial in serials]
[12, 12, 12]
>>> digits = SerialFormat(length=6, alphabet="0123456789")
>>> Guessability(issued=100, possible=digits.possible).one_in
10000
"""

from unitrace.serials.draw import RandomBytes, distinct_serials, draw_serials
from unitrace.serials.guessing import Guessability, exact_probability

__all__ = [
    "Guessability",
    "RandomBytes",
    "distinct_serials",
    "draw_serials",
    "exact_probability",
]
