"""Conversations as files: the formats (formats.py, pure: routerchat's JSON, ChatGPT's export,
Markdown) and the database side of export and import (store.py)."""
