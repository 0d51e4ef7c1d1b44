"""The transports: how a printer's requests reach it (see :mod:`.base` for their contract)."""
