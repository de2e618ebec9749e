"""OpenRouter as the app reaches it: the HTTP client (client.py), plain words for its failures
(wording.py, pure), the model list as routerchat shows it (catalog.py, pure), and the app's one
instance with its pooled, guarded session and cached model list (instance.py)."""
from .catalog import LOCAL_PREFIX, is_free_model, is_local_model, model_id_problem
from .client import CONTENT, REASONING, Delta, OpenRouterClient
from .instance import OpenRouter, Route, init_app, openrouter

__all__ = ["CONTENT", "LOCAL_PREFIX", "REASONING", "Delta", "OpenRouter", "OpenRouterClient", "Route", "init_app",
           "is_free_model", "is_local_model", "model_id_problem", "openrouter"]
