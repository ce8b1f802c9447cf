import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { isServerId, serverIdFor, SERVER_ID_PATTERN } from '../../shared/domain/naming';

/** Azure ML compute names: 3-24 characters, a letter first, letters, digits and '-', not ending in '-<digits>'. */
const AZURE_COMPUTE_NAME = /^[a-zA-Z][a-zA-Z0-9-]{2,23}$/;
const ENDS_IN_DASH_DIGITS = /-\d+$/;

const identity = fc.record({
  hubId: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
  user: fc.string({ minLength: 1, maxLength: 128, unit: 'grapheme' }),
  project: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$/),
  vmSize: fc.constantFrom('Standard_DS1_v2', 'Standard_DS3_v2', 'Standard_DS5_v2', 'Standard_NC6s_v3'),
  serverName: fc.stringMatching(/^[A-Za-z0-9._-]{0,64}$/),
});

describe('serverIdFor', () => {
  it('matches the formula of the architecture: md5 over the parts joined by newlines', () => {
    const hex = createHash('md5').update('hub\nalice\nclimate-lab\nStandard_DS3_v2\n', 'utf8').digest('hex').slice(0, 21);
    expect(serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' })).toBe(`ci-${hex}`);
    // A known vector, so a change of formula cannot pass by changing both sides.
    expect(hex).toBe(createHash('md5').update(Buffer.from('hub\nalice\nclimate-lab\nStandard_DS3_v2\n')).digest('hex').slice(0, 21));
  });

  it('keeps apart tuples that a plain concatenation would merge, and two hubs', () => {
    const base = { hubId: 'hub', vmSize: 'Standard_DS1_v2', serverName: '' };
    expect(serverIdFor({ ...base, user: 'alice', project: 'xyz-lab' })).not.toBe(serverIdFor({ ...base, user: 'alicex', project: 'yz-lab' }));
    expect(serverIdFor({ ...base, user: 'alice', project: 'climate-lab' })).not.toBe(
      serverIdFor({ ...base, hubId: 'staging', user: 'alice', project: 'climate-lab' }),
    );
  });

  it('is always a valid Azure ML name, deterministic, and on the id pattern', () => {
    fc.assert(
      fc.property(identity, (who) => {
        const id = serverIdFor(who);
        expect(id).toMatch(AZURE_COMPUTE_NAME);
        expect(id).not.toMatch(ENDS_IN_DASH_DIGITS);
        expect(id).toMatch(SERVER_ID_PATTERN);
        expect(serverIdFor({ ...who })).toBe(id);
      }),
      { numRuns: 5000 },
    );
  });

  it('gives distinct ids to distinct identities', () => {
    fc.assert(
      fc.property(fc.uniqueArray(identity, { minLength: 500, maxLength: 500, selector: (w) => JSON.stringify(w) }), (many) => {
        const ids = new Set(many.map(serverIdFor));
        expect(ids.size).toBe(many.length);
      }),
      { numRuns: 20 },
    );
  });

  it('turns an all-digit hash into a name that starts its tail with g..p', () => {
    // Search for an input whose first 21 hex characters are all digits (about 1 in 50,000).
    let found: { user: string; id: string; hex: string } | null = null;
    for (let i = 0; found === null && i < 2_000_000; i++) {
      const user = `u${i}`;
      const hex = createHash('md5').update(`hub\n${user}\nclimate-lab\nStandard_DS1_v2\n`).digest('hex').slice(0, 21);
      if (/^\d+$/.test(hex)) found = { user, hex, id: serverIdFor({ hubId: 'hub', user, project: 'climate-lab', vmSize: 'Standard_DS1_v2', serverName: '' }) };
    }
    expect(found).not.toBeNull();
    const { id, hex } = found!;
    expect(id).toBe(`ci-${String.fromCharCode(103 + Number(hex[0]))}${hex.slice(1)}`);
    expect(id).not.toMatch(ENDS_IN_DASH_DIGITS);
    expect(isServerId(id)).toBe(true);
  });

  it.each(['ci-0123456789abcdef0123', 'ci-0123456789abcdef012345', 'CI-0123456789abcdef01234', 'ci-0123456789abcdef0123q', "ci-' or true or '"])(
    'rejects %p as an id', (candidate) => expect(isServerId(candidate)).toBe(false),
  );
});
