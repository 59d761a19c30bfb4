"""Chapter-specific computations: one module per chapter (library modules never import these)."""
