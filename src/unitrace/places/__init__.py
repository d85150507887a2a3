"""Places of scans: reverse geocoding offline, ISO 3166 codes, great-circle distances."""

from unitrace.places.geocoding import locate, region_code
from unitrace.places.place import UNKNOWN_PLACE, Place, great_circle_km

__all__ = ["UNKNOWN_PLACE", "Place", "great_circle_km", "locate", "region_code"]
