"""Views of the package's data for people and tools: text/JSON/CSV rendering, pandas frames."""
