"""The cold chain's use cases: products' storage conditions, readings and attachments in,
each unit's exposure stitched from its containment history, and the judgement that holds the
units of a breach."""
