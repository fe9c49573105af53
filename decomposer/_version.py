"""The version, alone so that any module may import it without importing the package API."""

__all__ = ["__version__"]

__version__ = "0.1.0"
