"""Shop: a web-shop monolith (the decomposer sample)."""

VERSION = "3.4.0"
