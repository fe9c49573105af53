"""Pure stages: data in, data out. No I/O, no click, matplotlib, subprocess or grimp here."""
