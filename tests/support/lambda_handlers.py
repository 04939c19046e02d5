"""Lambda handlers that misbehave, for the local endpoint's tests (run by awslambdaric)."""

import time


def sleepy(event, context):
    """Sleeps as long as the event asks, then answers."""
    time.sleep(float(event.get("seconds", 0)))
    return {"statusCode": 200, "body": '{"slept": true}'}


def crashing(event, context):
    """Raises, as a handler with a bug does."""
    raise ValueError("the handler crashed")


def huge(event, context):
    """Answers more than Lambda carries (6 MB)."""
    return {"statusCode": 200, "body": "x" * (7 * 1024 * 1024)}


def echo(event, context):
    """Answers with the event and the function's name."""
    return {"statusCode": 200, "event": event, "function": context.function_name}
