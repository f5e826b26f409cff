"""The node API's routes, one module per concern: :mod:`~glasnost.service.routes.logs`
(reading the logs and appending to the own one) and :mod:`~glasnost.service.routes.sync` (a
peer's writes during a sync); :mod:`~glasnost.service.routes.common` holds what they share."""
