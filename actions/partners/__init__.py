"""Partner offers: the catalog, offer details, personal promo codes from the partner API."""
