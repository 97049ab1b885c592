"""Every domain store whose migrations the database carries, in the order they apply."""

from __future__ import annotations

from accounts import store as accounts_store
from catalog import store as catalog_store
from insights import store as insights_store
from loyalty import checkout_store
from loyalty import store as loyalty_store
from media import store as media_store
from operators import store as operators_store
from recs import store as recs_store
from retention import store as retention_store
from reviews import store as reviews_store
from server.data_keys import install_data_keys
from server.db import Database, SqliteDatabase
from server.settings import Settings
from sync import store as sync_store

# Order matters: a store's tables may reference those of stores before it (products -> images).
STORES = (media_store, catalog_store, accounts_store, sync_store, loyalty_store, checkout_store, retention_store,
          operators_store, insights_store, recs_store, reviews_store)


def connect(settings: Settings) -> Database:
    """The configured database (PostgreSQL when LASTMILE_DATABASE_URL is set, else the SQLite file), unmigrated."""
    if settings.database_url:
        from .postgres import PostgresDatabase  # psycopg only loads where PostgreSQL is used

        return PostgresDatabase(settings.database_url, max_size=settings.db_pool_size)
    return SqliteDatabase(settings.database_path)


def open_database(settings: Settings) -> Database:
    """Install the data keys, open the database and bring its schema up to date (migrations may seal)."""
    install_data_keys(settings)
    database = connect(settings)
    database.migrate(STORES)
    return database
