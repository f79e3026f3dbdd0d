"""Routes (filled in by the pages that use them): network-level and dealer-level patterns."""

network_patterns = []
dealer_patterns = []
