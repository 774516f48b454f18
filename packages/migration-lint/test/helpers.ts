import { join } from 'node:path';

/** One hazard file and one safe file per rule, and the database they are linted against (fixture.sql). */
export const CORPUS = join(import.meta.dirname, 'corpus');
