"""Files attached to messages: what a file is (kinds, pure), image checks and cleaning (images),
OpenRouter's content parts (parts, pure), and storage (store)."""
