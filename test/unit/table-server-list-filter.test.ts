import { serverListFilter } from '../../shared/adapters/table/server-list-filter';

describe('serverListFilter', () => {
  it.each<[string, Parameters<typeof serverListFilter>[0], string]>([
    ['no criteria', {}, "RowKey eq 'server'"],
    ['a user', { user: 'alice' }, "RowKey eq 'server' and user eq 'alice'"],
    ['every criterion', { user: 'bob', project: 'ocean-lab', state: 'Running' },
      "RowKey eq 'server' and user eq 'bob' and project eq 'ocean-lab' and state eq 'Running'"],
    ['a quote in a name', { user: "o'brien" }, "RowKey eq 'server' and user eq 'o''brien'"],
    ['an injection attempt', { user: "x' or true or '" }, "RowKey eq 'server' and user eq 'x'' or true or '''"],
    ['an OData expression as a name', { user: "PartitionKey ne ''" }, "RowKey eq 'server' and user eq 'PartitionKey ne '''''"],
    ['non-ASCII letters', { user: 'Zoë Ångström' }, "RowKey eq 'server' and user eq 'Zoë Ångström'"],
    ['an empty name', { user: '' }, "RowKey eq 'server' and user eq ''"],
  ])('%s', (_name, criteria, expected) => {
    expect(serverListFilter(criteria)).toBe(expected);
  });
});
