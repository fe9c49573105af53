"""The only code that touches the outside world: the file system, grimp and git."""
