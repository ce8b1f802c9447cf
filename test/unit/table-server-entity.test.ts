import { ENTITY_LIMITS } from '../../shared/adapters/table/entity-limits';
import { SERVER_ROW_KEY, fromServerEntity, toServerEntity } from '../../shared/adapters/table/server-entity';
import type { Server } from '../../shared/domain/server';
import { buildServer } from '../support/server-builder';

const complete: Server = buildServer({
  id: 'ci-0123456789abcdefabcde',
  user: "o'brien Ünïcødé",
  serverName: 'gpu.1',
  size: 'GPU',
  vmSize: 'Standard_NC4as_T4_v3',
  userObjectId: '11111111-2222-3333-4444-555555555555',
  tenantId: '66666666-7777-8888-9999-000000000000',
  state: 'Failed',
  amlState: 'CreateFailed',
  url: 'https://ci.example/lab',
  progress: [
    { at: '2025-01-01T00:00:00Z', progress: 10, message: 'Creating' },
    { at: '2025-01-01T00:01:00Z', progress: 100, message: 'Failed' },
  ],
  error: { code: 'QuotaExceeded', message: 'Azure said no' },
  stopReason: 'admin',
  startedAt: '2025-01-01T00:00:30Z',
  stoppedAt: '2025-01-01T00:02:00Z',
  lastActivityAt: '2025-01-01T00:01:30Z',
  phaseSince: '2025-01-01T00:01:00Z',
  launchRequestedAt: '2025-01-01T00:00:05Z',
  sessionEndedAt: '2025-01-01T00:30:00Z',
});

describe('toServerEntity / fromServerEntity', () => {
  it.each<[string, Server]>([
    ['a new server with every nullable field null', buildServer()],
    ['a server with every field set', complete],
    ['a default server name and empty progress', buildServer({ serverName: '', progress: [] })],
  ])('round-trips %s', (_name, server) => {
    expect(fromServerEntity({ ...toServerEntity(server), etag: 'W/"x"' })).toEqual({ ok: true, server });
  });

  it('reads a row written before phaseSince existed as in its phase since its last update', () => {
    const { phaseSince: _phaseSince, ...older } = toServerEntity(complete);
    const reading = fromServerEntity({ ...older, etag: 'W/"x"' });
    expect(reading).toEqual({ ok: true, server: { ...complete, phaseSince: complete.updatedAt } });
  });

  it('keys the entity by server id with a constant row key and leaves null columns out', () => {
    const entity = toServerEntity(buildServer({ id: 'ci-0000000000000000000ab' }));
    expect(entity.partitionKey).toBe('ci-0000000000000000000ab');
    expect(entity.rowKey).toBe(SERVER_ROW_KEY);
    for (const column of ['userObjectId', 'tenantId', 'amlState', 'url', 'error', 'stopReason', 'startedAt', 'stoppedAt', 'lastActivityAt']) {
      expect(entity).not.toHaveProperty(column);
    }
  });

  it('stores progress and error as JSON strings', () => {
    const entity = toServerEntity(complete);
    expect(JSON.parse(entity.progress)).toEqual(complete.progress);
    expect(JSON.parse(entity.error ?? 'null')).toEqual(complete.error);
  });

  it('caps a long progress list on the way in, keeping the first and the newest events', () => {
    const progress = Array.from({ length: 500 }, (_, index) => ({ at: `t${index}`, progress: index % 101, message: `event ${index}` }));
    const reading = fromServerEntity(toServerEntity(buildServer({ progress })));
    if (!reading.ok) throw new Error(reading.problems.join('; '));
    const stored = reading.server.progress;
    expect(stored).toHaveLength(ENTITY_LIMITS.maxProgressEvents);
    expect(stored[0]).toEqual(progress[0]);
    expect(stored[stored.length - 1]).toEqual(progress[499]);
  });

  const valid = toServerEntity(complete) as unknown as Record<string, unknown>;
  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown state', { ...valid, state: 'Exploded' }, 'state'],
    ['an unknown size', { ...valid, size: 'Huge' }, 'size'],
    ['a missing user', { ...valid, user: undefined }, 'user'],
    ['progress that is not JSON', { ...valid, progress: '[{' }, 'progress'],
    ['progress of the wrong shape', { ...valid, progress: '[{"at":1}]' }, 'progress'],
    ['an error of the wrong shape', { ...valid, error: '{"code":1}' }, 'error'],
    ['a numeric column where text belongs', { ...valid, url: 42 }, 'url'],
    ['an unknown stop reason', { ...valid, stopReason: 'bored' }, 'stopReason'],
  ])('reports %s instead of throwing', (_name, entity, field) => {
    const reading = fromServerEntity(entity);
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(reading.id).toBe(complete.id);
    expect(reading.problems.join('\n')).toContain(field);
  });

  it('reports an entity without a partition key', () => {
    expect(fromServerEntity({})).toMatchObject({ ok: false, id: '(unknown)' });
  });
});
