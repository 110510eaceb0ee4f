"""Independent verifiers: they recompute everything from the input arrays and import no solver."""
