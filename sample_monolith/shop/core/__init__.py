"""The shared kernel: persistence, money, events and small helpers used by every app."""
