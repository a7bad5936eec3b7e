"""Benchmarks: scripts that print figures and ratios against a peer (none yet)."""
