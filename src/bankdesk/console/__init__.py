"""The review console: server-rendered pages where underwriters work the queue."""
