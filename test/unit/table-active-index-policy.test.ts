import { ACTIVE_STATES, INDEX_INTENT_GRACE_MS, isActiveState, mayDropIndexRow, type IndexIntent, type StoredState } from '../../shared/adapters/table/active-index-policy';
import type { ServerState } from '../../shared/domain/server';

const now = new Date('2025-01-01T12:00:00Z');
const fresh = new Date(now.getTime() - 1_000).toISOString();
const old = new Date(now.getTime() - INDEX_INTENT_GRACE_MS - 1).toISOString();
const row = (baseEtag: string, intentAt = fresh): IndexIntent => ({ baseEtag, intentAt });
const at = (state: ServerState, etag = 'E1'): StoredState => ({ state, etag });

describe('isActiveState', () => {
  it.each<[ServerState, boolean]>([
    ['Requested', true], ['Creating', true], ['Starting', true], ['Running', true], ['Stopping', true], ['Deleting', true],
    ['Stopped', false], ['Failed', false], ['Deleted', false],
  ])('%s → %s', (state, expected) => {
    expect(isActiveState(state)).toBe(expected);
  });
  it('lists the active states', () => {
    expect(ACTIVE_STATES).toEqual(['Requested', 'Creating', 'Starting', 'Running', 'Stopping', 'Deleting']);
  });
});

describe('mayDropIndexRow', () => {
  it.each<[string, IndexIntent, StoredState | null, boolean]>([
    ['keeps the row of an active server', row('E0'), at('Running'), false],
    ['keeps the row of an active server whatever the intent', row('E0', old), at('Creating'), false],
    ['drops the row of a stopped server written on an older ETag', row('E0'), at('Stopped'), true],
    ['drops the row of a failed server', row(''), at('Failed'), true],
    ['keeps a fresh intent to write on top of the resting server', row('E1'), at('Stopped', 'E1'), false],
    ['drops an abandoned intent on the resting server', row('E1', old), at('Stopped', 'E1'), true],
    ['keeps a fresh create intent for a server not yet stored', row(''), null, false],
    ['drops an abandoned create intent', row('', old), null, true],
    ['drops a row whose server is gone', row('E3'), null, true],
    ['drops a row with an unreadable intent time', row('E1', 'garbage'), at('Deleted', 'E1'), true],
  ])('%s', (_name, intent, server, expected) => {
    expect(mayDropIndexRow(intent, server, now)).toBe(expected);
  });
});
