drop schema legacy;
