"""An in-process event bus: apps publish facts, other apps subscribe to them."""

from collections import defaultdict

_subscribers = defaultdict(list)


def subscribe(event_name, handler):
    _subscribers[event_name].append(handler)


def publish(event_name, **payload):
    for handler in list(_subscribers[event_name]):
        handler(**payload)


def clear():
    _subscribers.clear()
