-- Call records table of every site, as written by Asterisk's cdr_adaptive_odbc plus the
-- site column. Times are UTC. Same definition at HQ and at the branches.
CREATE DATABASE IF NOT EXISTS inova_cdr CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS inova_cdr.cdr (
  site VARCHAR(16) NOT NULL,
  calldate DATETIME(6) NOT NULL,
  clid VARCHAR(80) NOT NULL DEFAULT '',
  src VARCHAR(80) NOT NULL DEFAULT '',
  dst VARCHAR(80) NOT NULL DEFAULT '',
  dcontext VARCHAR(80) NOT NULL DEFAULT '',
  channel VARCHAR(80) NOT NULL DEFAULT '',
  dstchannel VARCHAR(80) NOT NULL DEFAULT '',
  lastapp VARCHAR(80) NOT NULL DEFAULT '',
  lastdata VARCHAR(80) NOT NULL DEFAULT '',
  duration INT UNSIGNED NOT NULL DEFAULT 0,
  billsec INT UNSIGNED NOT NULL DEFAULT 0,
  disposition VARCHAR(45) NOT NULL DEFAULT '',
  amaflags INT NOT NULL DEFAULT 0,
  accountcode VARCHAR(80) NOT NULL DEFAULT '',
  uniqueid VARCHAR(150) NOT NULL,
  userfield VARCHAR(255) NOT NULL DEFAULT '',
  linkedid VARCHAR(150) NOT NULL DEFAULT '',
  peeraccount VARCHAR(80) NOT NULL DEFAULT '',
  sequence INT NOT NULL DEFAULT 0,
  PRIMARY KEY (site, uniqueid, sequence),
  KEY cdr_calldate (calldate, site, uniqueid, sequence),
  KEY cdr_site_calldate (site, calldate),
  KEY cdr_src_calldate (src, calldate),
  KEY cdr_dst_calldate (dst, calldate),
  KEY cdr_disposition_calldate (disposition, calldate),
  KEY cdr_linkedid (linkedid)
) ENGINE = InnoDB;
