"""The unit registry's domain model: products, lots, parties, units and their states.

Pure, like :mod:`unitrace.gs1`: plain values and the rules about them, no database.
"""
