"""Search over titles and every message (`GET /conversations?q=`): text folding and snippets
(text.py, pure), which word drives a search (plan.py, pure), and the SQL per dialect (sql.py)."""
from .sql import init_app, matching_conversations, snippets
from .text import QueryError, query_words

__all__ = ["QueryError", "init_app", "matching_conversations", "query_words", "snippets"]
