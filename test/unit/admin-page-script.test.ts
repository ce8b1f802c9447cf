/** The admin page's script is plain browser JavaScript in a template string: it must still parse after an edit. */
import { ADMIN_SCRIPT } from '../../shared/admin-page/admin-script';
import { ADMIN_HTML } from '../../shared/admin-page/admin-html';

describe('the admin page', () => {
  it('serves a script that parses', () => {
    expect(() => new Function(ADMIN_SCRIPT)).not.toThrow();
  });

  it('has every element its script looks up by id', () => {
    const ids = [...ADMIN_SCRIPT.matchAll(/\$\('([a-z-]+)'\)/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of new Set(ids)) expect(ADMIN_HTML).toContain(`id="${id}"`);
  });
});
