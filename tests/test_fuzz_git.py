"""A seeded fuzz test of the git log parser: any bytes give commits or MalformedGitLog, nothing else.

The generator writes what `git log -z --numstat` (or `--name-only`) writes, with file names
made of every byte git allows in one (all but NUL): the old record separator 0x1E, 0x1F, tabs,
newlines, quotes, brace renames that git prints only without -z, and names that look like a
numstat line or a commit header. Well-formed logs must parse back exactly, however the stream
is cut into chunks; broken ones (random bytes, or a good log with bytes flipped, dropped or
added) may only raise decomposer's own MalformedGitLog.
"""

from __future__ import annotations

import random
import re

from decomposer.errors import MalformedGitLog
from decomposer.model import Commit, FileChange
from decomposer.sources.git_log import parse_log_record, split_log_records

SEED = 20250101
TRICKY_NAMES = [
    b"app/{b => c}/d.py", b"app/{old.py => new.py}", b'app/"quoted".py', b"app/x\x1ey.py",
    b"app/x\x1fy.py", b"app/tab\there.py", b"app/nl\nhere.py", b"\napp/leading.py", b"1\t2\tapp/a.py",
    b"-\t-\t", b"\x1e" + b"a" * 40 + b"\x1f1700000000\x1fmail", b"a" * 40, b"app/\xff\xfe.py", b"\t", b"-",
]
BYTES = b"\0\x1e\x1f\t\n -0123456789=>{}\"'\\/apy.\xff"


def _name(rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return rng.choice(TRICKY_NAMES)
    return bytes(rng.choice(b"\x1e\x1f\t\n \"{}=>-019aAz/.\x80\xff") for _ in range(rng.randint(1, 12)))


def _commit(rng: random.Random, line_counts: bool) -> tuple[bytes, Commit]:
    sha = "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice((40, 64))))
    timestamp = rng.choice((0, 1, 1_700_000_000, 2**63 - 1))
    email = bytes(rng.choice(b"\x1e\x1f\t\n @.x\xff") for _ in range(rng.randint(0, 8)))
    record = b"\0" + sha.encode() + b"\x1f" + str(timestamp).encode() + b"\x1f" + email + b"\0\n"
    changes = []
    for _ in range(rng.randint(1, 6)):
        path = _name(rng)
        added, deleted = rng.choice([(b"-", b"-"), (b"0", b"0"), (b"7", b"12"), (b"123456789", b"1")])
        count = (0 if added == b"-" else int(added), 0 if deleted == b"-" else int(deleted))
        if not line_counts:
            record += path + b"\0"
            changes.append(FileChange(path.decode("utf-8", "surrogateescape"), 0, 0))
        elif rng.random() < 0.25:  # a rename: old and new paths in their own fields
            old = _name(rng)
            record += added + b"\t" + deleted + b"\t\0" + old + b"\0" + path + b"\0"
            changes.append(FileChange(path.decode("utf-8", "surrogateescape"), *count,
                                      old.decode("utf-8", "surrogateescape")))
        else:
            record += added + b"\t" + deleted + b"\t" + path + b"\0"
            changes.append(FileChange(path.decode("utf-8", "surrogateescape"), *count))
    return record, Commit(sha, timestamp, "", tuple(changes))


def _chunks(rng: random.Random, data: bytes) -> list[bytes]:
    cuts = sorted(rng.randint(0, len(data)) for _ in range(rng.randint(0, 6)))
    return [data[start:end] for start, end in zip([0, *cuts], [*cuts, len(data)])]


def _parse_all(data: bytes, chunks: list[bytes], line_counts: bool) -> list[Commit | None]:
    records = list(split_log_records(chunks))
    assert records == list(split_log_records([data]))  # the chunking never matters
    parsed: list[Commit | None] = []
    for record in records:
        try:
            parsed.append(parse_log_record(record, line_counts=line_counts))
        except MalformedGitLog:
            parsed.append(None)
    return parsed


def _mutated(rng: random.Random, data: bytes) -> bytes:
    mutable = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        position = rng.randint(0, len(mutable))
        action = rng.randrange(3)
        if action == 0:
            mutable[position:position] = bytes([rng.choice(BYTES)])
        elif action == 1:
            del mutable[position:position + 1]
        else:
            mutable[position:position + 1] = bytes([rng.randrange(256)])
    return bytes(mutable)


def test_well_formed_logs_parse_back_exactly_however_they_are_chunked():
    rng = random.Random(SEED)
    for _ in range(1500):
        line_counts = rng.random() < 0.7
        pairs = [_commit(rng, line_counts) for _ in range(rng.randint(1, 5))]
        data = b"".join(record for record, _ in pairs)
        parsed = _parse_all(data, _chunks(rng, data), line_counts)
        assert [(c.sha, c.timestamp, c.changes) for c in parsed] == [
            (c.sha, c.timestamp, c.changes) for _, c in pairs]
        assert all(re.fullmatch("[0-9a-f]{16}", commit.author) for commit in parsed)


def test_broken_logs_raise_nothing_but_malformed_git_log():
    rng = random.Random(SEED + 1)
    outcomes = {"commit": 0, "malformed": 0}
    for _ in range(2500):
        line_counts = rng.random() < 0.7
        if rng.random() < 0.5:
            data = bytes(rng.choice(BYTES) for _ in range(rng.randint(0, 200)))
        else:
            data = _mutated(rng, b"".join(_commit(rng, line_counts)[0] for _ in range(rng.randint(1, 3))))
        for commit in _parse_all(data, _chunks(rng, data), line_counts):
            outcomes["malformed" if commit is None else "commit"] += 1
    # Both outcomes occur often: the inputs reach deep into the parser, not just its first check.
    assert min(outcomes.values()) > 500, outcomes
