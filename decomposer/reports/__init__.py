"""Views of an `Analysis`: files people and tools read, and the terminal summary."""
