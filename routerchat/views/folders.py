"""Folder routes: list, create, change (name, instructions), delete (its chats move out)."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue

from ..errors import json_object_body
from ..organise import folders

bp = Blueprint("folders", __name__)


@bp.get("/folders")
def list_folders() -> Response:
    return jsonify({"folders": [folder.to_dict() for folder in folders.all_folders()]})


@bp.post("/folders")
def create_folder() -> ResponseReturnValue:
    return jsonify(folders.create(json_object_body()).to_dict()), 201


@bp.patch("/folders/<folder_id>")
def change_folder(folder_id: str) -> Response:
    folder = folders.owned_or_404(folder_id)
    return jsonify(folders.update(folder, json_object_body()).to_dict())


@bp.delete("/folders/<folder_id>")
def delete_folder(folder_id: str) -> ResponseReturnValue:
    folders.delete(folders.owned_or_404(folder_id))
    return "", 204
