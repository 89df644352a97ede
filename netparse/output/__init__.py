"""What records become: JSON, JSON lines and CSV (:mod:`.records`, no rich), tables for a person (:mod:`.tables`)."""
