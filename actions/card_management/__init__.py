"""Card management: lock (freeze, or block for good and reissue), unlock, PIN and password."""
