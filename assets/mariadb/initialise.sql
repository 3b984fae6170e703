-- Runs once, at the end of initialising an empty data directory.
-- Keeps only the PROXY grant of root@localhost.
DELETE FROM mysql.proxies_priv WHERE NOT (User = 'root' AND Host = 'localhost');
