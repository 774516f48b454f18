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

/**
 * One `name=value` entry of a file command (GITHUB_OUTPUT, GITHUB_STATE), as a heredoc with a random
 * delimiter the value cannot end early. Without the file (runners before 2.297), the deprecated stdout
 * command, as @actions/core falls back to.
 */
function fileCommand(file: 'GITHUB_OUTPUT' | 'GITHUB_STATE', legacy: string, name: string, value: string): void {
  const path = process.env[file];
  if (!path) {
    process.stdout.write(EOL);
    issueCommand(legacy, value, { name } as AnnotationProperties);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`'${name}' contains the delimiter ${delimiter}; it cannot be written`);
  appendFileSync(path, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
}

/** A step output. */
export function setOutput(name: string, value: string): void {
  fileCommand('GITHUB_OUTPUT', 'set-output', name, value);
}

/** State for this action's post step: the runner hands it back there as the STATE_<name> environment variable. */
export function saveState(name: string, value: string): void {
  fileCommand('GITHUB_STATE', 'save-state', name, value);
}
