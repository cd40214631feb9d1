-- Runs once, when the Postgres volume is first initialised (docker-entrypoint-initdb.d).
-- The API logs in as store_monitoring_api, a member of store_monitoring_app, which the migrations
-- grant row access to. Neither owns a table, so the internet-facing process cannot drop or alter
-- one. Migrations and the workers (which manage the status partitions) use the owner role.
CREATE ROLE store_monitoring_app NOLOGIN;
CREATE ROLE store_monitoring_api LOGIN PASSWORD 'store_monitoring_api' IN ROLE store_monitoring_app;
