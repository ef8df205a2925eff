"""Reference data: the code catalogue, sources, contractors, documentation items, the shared
coverage policy numbers and the NCCI/MUE tables, read once from the package's data files."""
