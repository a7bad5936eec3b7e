"""Live tracking: enrich catalog models from the Hub, arXiv and GitHub; keep metric history;
find new models."""
