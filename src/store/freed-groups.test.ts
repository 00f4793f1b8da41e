import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FreedGroups } from './freed-groups.ts';

describe('FreedGroups', () => {
  it('tells an inode in the flex group of a recent removal, and forgets it after six minutes', () => {
    const f = new FreedGroups();
    assert.equal(f.empty, true);
    const t = 1_000_000;
    f.record(5 * 131072 + 17, t);
    assert.equal(f.empty, false);
    assert.equal(f.near(5 * 131072 + 90_000, t + 1000), true, 'same flex group');
    assert.equal(f.near(6 * 131072 + 1, t + 1000), false, 'next flex group');
    assert.equal(f.near(5 * 131072, t + 6 * 60_000 + 1), false, 'no longer recent');
    assert.equal(f.empty, true);
  });
});
