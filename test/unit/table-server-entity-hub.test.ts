/** The hub a server belongs to, in its Table entity: stored, and absent in rows written before it was. */
import { fromServerEntity, toServerEntity } from '../../shared/adapters/table/server-entity';
import { buildServer } from '../support/server-builder';

describe('the hubId column', () => {
  it('is stored and read back', () => {
    const server = buildServer({ hubId: 'staging' });
    const entity = toServerEntity(server);
    expect(entity.hubId).toBe('staging');
    expect(fromServerEntity({ ...entity, etag: 'W/"x"' })).toEqual({ ok: true, server });
  });

  it('reads a row written before hubs were recorded as hubId null', () => {
    const { hubId: _absent, ...oldRow } = toServerEntity(buildServer({ hubId: 'hub' }));
    const reading = fromServerEntity({ ...oldRow, etag: 'W/"x"' });
    expect(reading).toMatchObject({ ok: true, server: { hubId: null } });
  });

  it('leaves the column out for a null hubId', () => {
    expect(toServerEntity(buildServer({ hubId: null }))).not.toHaveProperty('hubId');
  });
});
