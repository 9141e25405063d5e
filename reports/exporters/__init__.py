"""One exporter per format: each turns a generator's `Table` into the bytes of a file."""
