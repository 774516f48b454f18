// Reads the "Source Map Upload Report" sentry-cli prints after `sourcemaps upload`:
//   Source Map Upload Report
//     Scripts
//       ~/main.js (sourcemap at main.js.map, debug id …)
//     Source Maps
//       ~/main.js.map (debug id …)

/** The uploaded file URLs (scripts and source maps), in report order. */
export function parseUploadReport(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.trim() === 'Source Map Upload Report');
  if (start < 0) return [];
  const files: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 0) break;
    // Section titles sit at 2 spaces, files at 4.
    if (indent >= 4) files.push(line.trim().replace(/\s+\(.*\)$/, ''));
  }
  return files;
}
