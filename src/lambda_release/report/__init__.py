"""A release as a page people read: its facts from the log, as Markdown, HTML or JSON."""
