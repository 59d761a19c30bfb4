"""Chapter-specific computations: one module per chapter of the book (library modules never import these)."""
