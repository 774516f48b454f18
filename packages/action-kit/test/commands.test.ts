// The workflow commands are written by hand (to keep @actions/core's HTTP stack out of every run), so
// they are checked byte for byte against what @actions/core 3 writes for the same calls.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { addMask, group, info, issueCommand, setOutput } from '../src/commands';
import { enterPhase, getState, saveState } from '../src/state';

let written: string[] = [];
beforeEach(() => {
  written = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
});

const capture = (fn: () => void) => {
  written = [];
  fn();
  return written.join('');
};

describe('workflow commands', () => {
  const message = 'line one\nline two: 100% done, 50%\r';
  const where = { title: 'Bad: file, here', file: 'supabase/migrations/0001_a.sql', line: 3, endLine: 4, col: 7 };

  it('writes annotations exactly as @actions/core does, message and properties escaped', () => {
    const coreProps = { title: where.title, file: where.file, startLine: 3, endLine: 4, startColumn: 7 };
    expect(capture(() => issueCommand('error', message, where))).toBe(capture(() => core.error(message, coreProps)));
    expect(capture(() => issueCommand('warning', message, where))).toBe(
      capture(() => core.warning(message, coreProps)),
    );
    expect(capture(() => issueCommand('notice', message))).toBe(capture(() => core.notice(message)));
    expect(capture(() => issueCommand('debug', message))).toBe(capture(() => core.debug(message)));
    expect(capture(() => addMask('s3cr%t\nx'))).toBe(capture(() => core.setSecret('s3cr%t\nx')));
    expect(capture(() => info(message))).toBe(capture(() => core.info(message)));
  });

  it('leaves out properties that are not set, without the stray space @actions/core writes', () => {
    expect(capture(() => issueCommand('error', 'm', { file: 'a.sql', line: undefined }))).toBe(
      '::error file=a.sql::m\n',
    );
    expect(capture(() => issueCommand('error', 'm', { file: undefined }))).toBe('::error::m\n');
  });

  it('groups around the work, and closes the group when it fails', async () => {
    await expect(
      group('Applying x', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(written.join('')).toBe('::group::Applying x\n::endgroup::\n');
  });

  it('writes an output to GITHUB_OUTPUT as a heredoc the runner reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-out-'));
    const file = join(dir, 'output');
    writeFileSync(file, '');
    const saved = process.env.GITHUB_OUTPUT;
    process.env.GITHUB_OUTPUT = file;
    try {
      setOutput('deployment-url', 'https://a.test/\nsecond line');
      const text = readFileSync(file, 'utf8');
      const m = /^deployment-url<<(ghadelimiter_[0-9a-f-]{36})\nhttps:\/\/a\.test\/\nsecond line\n\1\n$/.exec(text);
      expect(m).not.toBeNull();
    } finally {
      if (saved === undefined) delete process.env.GITHUB_OUTPUT;
      else process.env.GITHUB_OUTPUT = saved;
    }
  });

  it('saves state to GITHUB_STATE the way @actions/core does, and tells main from post by it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-state-'));
    const ours = join(dir, 'ours');
    const theirs = join(dir, 'theirs');
    writeFileSync(ours, '');
    writeFileSync(theirs, '');
    const saved = { file: process.env.GITHUB_STATE, mark: process.env.STATE_isPost };
    try {
      process.env.GITHUB_STATE = ours;
      saveState('paused-monitors', '[1,2]');
      process.env.GITHUB_STATE = theirs;
      core.saveState('paused-monitors', '[1,2]');
      const shape = (file: string) => readFileSync(file, 'utf8').replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIM');
      expect(shape(ours)).toBe(shape(theirs));

      // Main: no STATE_isPost yet, so it is main, and it leaves the mark for the post step.
      delete process.env.STATE_isPost;
      process.env.GITHUB_STATE = ours;
      expect(enterPhase()).toBe('main');
      expect(readFileSync(ours, 'utf8')).toMatch(/isPost<<(ghadelimiter_[0-9a-f-]{36})\ntrue\n\1\n$/);
      // Post: the runner passes the mark back as STATE_isPost.
      process.env.STATE_isPost = 'true';
      expect(enterPhase()).toBe('post');
      expect(getState('isPost')).toBe('true');
      expect(getState('nothing-saved')).toBeUndefined();
    } finally {
      if (saved.file === undefined) delete process.env.GITHUB_STATE;
      else process.env.GITHUB_STATE = saved.file;
      if (saved.mark === undefined) delete process.env.STATE_isPost;
      else process.env.STATE_isPost = saved.mark;
    }
  });
});
