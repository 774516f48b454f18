// The runner's protocol, written directly: workflow commands on stdout and file commands (GITHUB_OUTPUT),
// as GitHub documents them ("Workflow commands for GitHub Actions"). @actions/core writes the same
// bytes, but loading it loads its HTTP stack (undici, 419 KB of every bundle) on every run.
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';

export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function issueCommand(command: string, message: string, properties: AnnotationProperties = {}): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

export const info = (message: string) => process.stdout.write(`${message}${EOL}`);
export const addMask = (secret: string) => issueCommand('add-mask', secret);

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', name);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup', '');
  }
}

/** A step output, through the GITHUB_OUTPUT file with a random heredoc delimiter the value cannot end early. */
export function setOutput(name: string, value: string): void {
  const path = process.env.GITHUB_OUTPUT;
  if (!path) {
    // Runners before 2.297 (no GITHUB_OUTPUT): the deprecated command, as @actions/core falls back to.
    process.stdout.write(EOL);
    issueCommand('set-output', value, { name } as AnnotationProperties);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`output '${name}' contains the delimiter ${delimiter}; it cannot be written`);
  appendFileSync(path, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}
