// The logging contract between domain packages and whoever runs them, and the one redactor everything
// written passes through. No dependencies, so domain code stays free of @actions/* and runs the same in an
// action, a script or a test.

export interface SourceLocation {
  file?: string;
  line?: number;
  endLine?: number;
  column?: number;
  title?: string;
}

export interface Log {
  info(message: string): void;
  debug(message: string): void;
  /** Worth a reader's attention without being a problem (a skipped deploy, a fallback taken). */
  notice(message: string, where?: SourceLocation): void;
  warning(message: string, where?: SourceLocation): void;
  /** An annotation that is not (yet) the step's failure; the failure itself is the thrown error. */
  error(message: string, where?: SourceLocation): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
}

export interface LogEntry {
  level: 'info' | 'debug' | 'notice' | 'warning' | 'error' | 'group';
  message: string;
  where?: SourceLocation;
}

/** A Log that remembers everything: for tests and for callers that render their own report. */
export class RecordingLog implements Log {
  readonly entries: LogEntry[] = [];
  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }
  debug(message: string): void {
    this.entries.push({ level: 'debug', message });
  }
  notice(message: string, where?: SourceLocation): void {
    this.entries.push({ level: 'notice', message, where });
  }
  warning(message: string, where?: SourceLocation): void {
    this.entries.push({ level: 'warning', message, where });
  }
  error(message: string, where?: SourceLocation): void {
    this.entries.push({ level: 'error', message, where });
  }
  async group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    this.entries.push({ level: 'group', message: name });
    return fn();
  }
  messages(level?: LogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}

/** Plain console output, for local scripts and benchmarks outside the runner. */
export const consoleLog: Log = {
  info: (m) => console.log(m),
  debug: (m) => {
    if (process.env.RUNNER_DEBUG === '1') console.log(`debug: ${m}`);
  },
  notice: (m, w) => console.log(`notice: ${w?.file ? `${w.file}:${w.line ?? 1}: ` : ''}${m}`),
  warning: (m, w) => console.warn(`warning: ${w?.file ? `${w.file}:${w.line ?? 1}: ` : ''}${m}`),
  error: (m, w) => console.error(`error: ${w?.file ? `${w.file}:${w.line ?? 1}: ` : ''}${m}`),
  group: async (name, fn) => {
    console.log(`── ${name}`);
    return fn();
  },
};

export const silentLog: Log = {
  info: () => {},
  debug: () => {},
  notice: () => {},
  warning: () => {},
  error: () => {},
  group: (_name, fn) => fn(),
};
export * from './redact';
