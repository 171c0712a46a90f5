"""Views shared by several handler modules, so that handler modules never import one another."""
