"""What one capture takes at most: the limits advertised as ``GS1-EPCIS-Capture-Limit``
and ``GS1-EPCIS-Capture-File-Size-Limit``, and held by the faces and the capture alike."""

from __future__ import annotations

from typing import Final

__all__ = ["CAPTURE_FILE_SIZE_LIMIT", "CAPTURE_LIMIT"]

#: The most events one capture takes.
CAPTURE_LIMIT: Final = 100_000
#: The most bytes one document sent for capture may hold.
CAPTURE_FILE_SIZE_LIMIT: Final = 64 * 1024 * 1024
