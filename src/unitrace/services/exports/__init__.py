"""Exports of the registry's data in the forms regulators and trading partners ask for."""
