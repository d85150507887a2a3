"""Use cases: what unitrace does for its users, shared by the command line and the HTTP API."""
