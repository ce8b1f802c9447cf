/**
 * The composition root: dependencies are built once and passed in. A function is a factory over
 * the app's root (production registers it with `productionRoot`), so two roots never share state,
 * nothing global is swapped, and the HTTP edge does not import the composition root (no cycle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { status } from '../../functions/status';
import { appServices, type AppRoot } from '../../shared/app-services';
import { invoke } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies } from '../support/test-dependencies';

const REPO = join(__dirname, '..', '..');

function rootOver(servers: InMemoryServerRepository): AppRoot {
  const services = appServices(testDependencies({ servers, aml: new ScriptedAmlGateway() }), () => new RecordingOrchestrationControl());
  return async () => services;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('the composition root', () => {
  it('gives each function the root it is built with: two roots, two answers', async () => {
    const withServer = new InMemoryServerRepository();
    const server = buildServer({ state: 'Running' });
    await withServer.create(server);
    const call = { method: 'GET', path: `/api/servers/${server.id}`, params: { id: server.id } };
    const found = await invoke(status(rootOver(withServer)), call);
    const missing = await invoke(status(rootOver(new InMemoryServerRepository())), call);
    expect([found.status, missing.status]).toEqual([200, 404]);
  });

  it('is imported by the function files only: not by the HTTP edge, the use cases or anything else in shared/', () => {
    const importers = sourceFiles(join(REPO, 'shared'))
      .filter((file) => /from '[./]*composition-root'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO, file));
    expect(importers).toEqual([]);
  });

  it('hands use cases only the settings they declare: no use case takes the whole Dependencies', () => {
    const whole = sourceFiles(join(REPO, 'shared', 'use-cases'))
      .filter((file) => /deps: Dependencies\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(REPO, file));
    expect(whole).toEqual([]);
  });
});
