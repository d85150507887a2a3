"""Places of scans: reverse geocoding offline, ISO 3166 codes, great-circle distances, and
positions (exact or approximate) for the travel check."""

from unitrace.places.geocoding import locate, region_code
from unitrace.places.place import UNKNOWN_PLACE, Place, great_circle_km
from unitrace.places.positions import Position, least_travel_km, position_of

__all__ = [
    "UNKNOWN_PLACE",
    "Place",
    "Position",
    "great_circle_km",
    "least_travel_km",
    "locate",
    "position_of",
    "region_code",
]
