"""The exchange: canonical JSON, keys, signed entries, the Merkle log, checkpoints and
witnessing."""
