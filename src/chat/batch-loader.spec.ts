import { BatchLoader } from './batch-loader.js';

/** A load function that records each batch and answers when told to. */
function controlledLoad(): {
  load: (keys: string[]) => Promise<Map<string, string>>;
  batches: string[][];
  answer(i: number): void;
  fail(i: number, err: Error): void;
} {
  const batches: string[][] = [];
  const pending: { resolve(v: Map<string, string>): void; reject(e: Error): void }[] = [];
  return {
    batches,
    load: (keys) => {
      batches.push(keys);
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    answer: (i) => pending[i]!.resolve(new Map(batches[i]!.filter((k) => k !== 'missing').map((k) => [k, `value of ${k}`]))),
    fail: (i, err) => pending[i]!.reject(err),
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BatchLoader', () => {
  it('sends the keys asked for in one turn together, shares a queued key, and answers each caller', async () => {
    const ctl = controlledLoad();
    const loader = new BatchLoader(ctl.load, 10, 2);
    const results = Promise.all(['a', 'b', 'a', 'missing'].map((k) => loader.get(k)));
    await turn();
    expect(ctl.batches).toEqual([['a', 'b', 'missing']]);
    ctl.answer(0);
    expect(await results).toEqual(['value of a', 'value of b', 'value of a', undefined]);
  });

  it('splits into batches of maxBatch, keeps at most maxInFlight loads running, and sends the rest after', async () => {
    const ctl = controlledLoad();
    const loader = new BatchLoader(ctl.load, 2, 2);
    const results = Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => loader.get(k)));
    await turn();
    expect(ctl.batches).toEqual([['a', 'b'], ['c', 'd']]);
    const late = loader.get('f');
    await turn();
    expect(ctl.batches).toHaveLength(2);
    ctl.answer(0);
    await turn();
    await turn();
    expect(ctl.batches[2]).toEqual(['e', 'f']);
    ctl.answer(1);
    ctl.answer(2);
    expect(await results).toEqual(['a', 'b', 'c', 'd', 'e'].map((k) => `value of ${k}`));
    expect(await late).toBe('value of f');
  });

  it('rejects every caller of a failed batch; a key asked for again afterwards is loaded anew', async () => {
    const ctl = controlledLoad();
    const loader = new BatchLoader(ctl.load, 10, 1);
    const first = [loader.get('a'), loader.get('b')];
    await turn();
    ctl.fail(0, new Error('database down'));
    for (const p of first) await expect(p).rejects.toThrow('database down');
    const again = loader.get('a');
    await turn();
    expect(ctl.batches[1]).toEqual(['a']);
    ctl.answer(1);
    expect(await again).toBe('value of a');
  });
});
