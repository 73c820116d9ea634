import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AtlasScriptError,
  loadAtlasScript,
  startAtlasEmulator,
  validateAtlasScript,
} from '../../../local/atlas-emulator';

const problemsOf = (value: unknown): readonly string[] => {
  try {
    validateAtlasScript(value);
  } catch (error) {
    if (error instanceof AtlasScriptError) return error.problems;
    throw error;
  }
  return [];
};

describe('validateAtlasScript', () => {
  it('accepts a complete script', () => {
    const script = {
      endpointService: {
        statuses: ['INITIATING', { status: 'AVAILABLE', errorMessage: null }],
        afterUpdate: ['INITIATING', 'WAITING_FOR_USER'],
      },
      attempts: [
        { statuses: ['PENDING_ACCEPTANCE', { connectionStatus: 'REJECTED', errorMessage: 'nope' }] },
        {
          timeline: [
            { atSeconds: 0, connectionStatus: 'PENDING' },
            { atSeconds: 30.5, connectionStatus: 'AVAILABLE' },
          ],
        },
      ],
      deletingPolls: 0,
      faults: [{ method: 'GET', path: '/endpoint/', status: 429, retryAfter: 3, times: 2 }, { reset: true }],
    };

    expect(validateAtlasScript(script)).toBe(script);
  });

  it('fails naming every bad field with what it received', () => {
    const problems = problemsOf({
      endpointService: { afterUpdate: ['UPDATING'] },
      attempts: [{ statuses: ['PENDNG'] }, { statuses: [], timeline: [] }, {}],
      deletingPolls: -1,
      faults: [{ status: 42, times: 0 }, { method: 'GET' }],
      extra: true,
    });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^script: unknown field "extra"/),
        expect.stringMatching(
          /^script\.endpointService\.afterUpdate\[0\]: expected one of .*; received "UPDATING"$/,
        ),
        expect.stringMatching(
          /^script\.attempts\[0\]\.statuses\[0\]: expected one of .*PENDING_ACCEPTANCE.*; received "PENDNG"$/,
        ),
        'script.attempts[1]: give either "statuses" or "timeline", not both',
        'script.attempts[2]: give "statuses" or "timeline"',
        'script.deletingPolls: expected a whole number ≥ 0; received -1',
        'script.faults[0].status: expected an HTTP status from 200 to 599; received 42',
        'script.faults[0].times: expected a whole number ≥ 1, or -1 for forever; received 0',
        'script.faults[1]: does nothing: give at least one of status, delayMs, reset: true, body',
      ]),
    );
  });

  it('fails a timeline that does not start at 0 or does not increase', () => {
    const problems = problemsOf({
      attempts: [
        {
          timeline: [
            { atSeconds: 5, connectionStatus: 'PENDING' },
            { atSeconds: 5, connectionStatus: 'AVAILABLE' },
          ],
        },
      ],
    });

    expect(problems).toEqual([
      'script.attempts[0].timeline[0].atSeconds: the first step must be at 0; received 5',
      "script.attempts[0].timeline[1].atSeconds: must be greater than the previous step's 5; received 5",
    ]);
  });

  it('fails a script that is not an object', () => {
    expect(problemsOf([])).toEqual(['script: expected a JSON object; received an array of 0']);
  });

  it('loads a script file and names the file in errors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'atlas-script-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    await writeFile(good, JSON.stringify({ deletingPolls: 1 }));
    await writeFile(bad, '{ "deletingPolls": ');

    await expect(loadAtlasScript(good)).resolves.toEqual({ deletingPolls: 1 });
    await expect(loadAtlasScript(bad)).rejects.toThrow(`Invalid Atlas emulator script (${bad})`);
  });

  it('fails startAtlasEmulator and setScript on an invalid script', async () => {
    await expect(startAtlasEmulator({ script: { deletingPolls: 1.5 } })).rejects.toThrow(AtlasScriptError);
    const atlas = await startAtlasEmulator();
    try {
      expect(() => atlas.setScript({ attempts: 'PENDING' } as never)).toThrow(
        /script\.attempts: expected a non-empty array/,
      );
    } finally {
      await atlas.close();
    }
  });

  it('fails startAtlasEmulator on an unusable option, naming it', async () => {
    await expect(startAtlasEmulator({ maxBodyBytes: 0 })).rejects.toThrow('Invalid maxBodyBytes 0');
    await expect(startAtlasEmulator({ rateLimit: { capacity: 0, refillPerMinute: 1 } })).rejects.toThrow(
      'Invalid rateLimit.capacity 0',
    );
  });
});
