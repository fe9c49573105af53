"""What each customer agreed to receive."""

CHANNELS = ("email", "sms")
_opt_outs = {}


def opt_out(user_id, channel):
    _opt_outs.setdefault(user_id, set()).add(channel)


def allows(user_id, channel):
    return channel in CHANNELS and channel not in _opt_outs.get(user_id, set())
