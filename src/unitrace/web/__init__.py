"""Pages for people: the verification page a phone opens when it scans a unit's QR Code."""
