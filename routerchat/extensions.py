"""Flask extensions, created unbound so the application factory can attach them."""
from flask_migrate import Migrate  # type: ignore[import-untyped]  # ships no type hints
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
