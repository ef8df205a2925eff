"""The encounter model and the field vocabulary: clinical facts validated at the boundary, dates."""
