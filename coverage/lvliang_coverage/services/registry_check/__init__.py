"""The registry check (article 1): division codes and names against the official list."""
