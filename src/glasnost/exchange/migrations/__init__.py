"""Alembic migrations of the log store (:mod:`glasnost.exchange.store`); run them with
:func:`glasnost.exchange.store.migrate`. New revision: ``alembic -c <ini with script_location =
glasnost.exchange:migrations> revision -m "..."``, then write its upgrade by hand."""
