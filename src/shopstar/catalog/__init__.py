"""App-DB copies of the marketplace catalog (creators, shops, products), synced from the lake."""
