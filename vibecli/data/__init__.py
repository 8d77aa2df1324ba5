"""Training data: examples from the logbook (export) and from real code (synth), in vibecli's own prompt format."""
