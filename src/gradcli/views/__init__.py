"""Views of a Result: each renders; none computes gradients."""
