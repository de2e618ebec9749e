"""Conversation titles: the job that claims, asks the title model and saves (job.py), and the
text work beside it, all pure: the prompt, languages and scripts, cleaning a model's answer, the
checks that tell a title from what small models really write, and the extractive fallback."""
from .job import TitleResult, Trigger, generate_summary, preview, start_in_background
from .settings import check_title_prompt, checked_preview

__all__ = ["TitleResult", "Trigger", "check_title_prompt", "checked_preview", "generate_summary", "preview",
           "start_in_background"]
