"""The data contract (CONTRACT.md §1): entities, their keys, columns and Arrow schemas."""

from shopstar.contract.schemas import (
    ENTITIES,
    MONEY,
    RATE,
    Column,
    Entity,
    Kind,
    entity_for_filename,
)

__all__ = ["ENTITIES", "MONEY", "RATE", "Column", "Entity", "Kind", "entity_for_filename"]
