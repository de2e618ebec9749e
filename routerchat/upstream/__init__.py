"""OpenRouter as the app reaches it: the HTTP client (client.py), plain words for its failures
(wording.py, pure), the model list as routerchat shows it (catalog.py, pure), and the app's one
instance with its pooled, guarded session and cached model list (instance.py)."""
from .catalog import is_free_model
from .client import OpenRouterClient
from .instance import OpenRouter, init_app, openrouter

__all__ = ["OpenRouter", "OpenRouterClient", "init_app", "is_free_model", "openrouter"]
