create schema staging_area;
drop schema staging_area;
