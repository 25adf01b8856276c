DROP TABLE invite_link_misses;
