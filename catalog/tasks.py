"""Background work of the catalog: none yet; imports are small enough to run in the request."""
