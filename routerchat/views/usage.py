"""GET /usage: what the last days cost, by model, with title requests apart."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from .. import costs

bp = Blueprint("usage", __name__)


@bp.get("/usage")
def usage() -> Response:
    return jsonify(costs.usage_report(costs.parse_days(request.args.get("days"))))
