"""Organising chats: folders (with their instructions), forks and read-only share links."""
