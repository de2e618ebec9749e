"""GET /usage: what the last days cost, by model, with title requests apart."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .. import costs
from ..upstream import openrouter

bp = Blueprint("usage", __name__)


@bp.get("/usage")
def usage() -> Response:
    report = costs.usage_report(costs.parse_days(request.args.get("days")))
    return jsonify({**report, "credits": openrouter().credits()})  # credits end the transaction first
