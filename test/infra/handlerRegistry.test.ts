import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/HandlerFunction';
import { handlerCode, registeredHandlerModules } from '../../infra/handlerRegistry';
import { ApiHandlers, handlerEntry, MaintenanceHandlers, WorkflowHandlers } from '../../infra/handlers';

const HANDLERS_DIR = fileURLToPath(new URL('../../lambdas/handlers/', import.meta.url));

/** The modules under lambdas/handlers/ that export a Lambda `handler`. */
function modulesExportingHandler(dir = HANDLERS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesExportingHandler(path);
    const exportsHandler = /^export (const|async function|function) handler\b/m.test(
      readFileSync(path, 'utf8'),
    );
    return entry.name.endsWith('.ts') && exportsHandler
      ? [relative(HANDLERS_DIR, path).replace(/\.ts$/, '')]
      : [];
  });
}

describe('the handler registry (infra/handlers.ts)', () => {
  it('holds every registry: the workflow, API and maintenance handlers', () => {
    const expected = [WorkflowHandlers, ApiHandlers, MaintenanceHandlers].flatMap((r) => Object.values(r));

    expect(registeredHandlerModules()).toEqual(expect.arrayContaining(expected));
  });

  it('registers every module under lambdas/handlers/ that exports a handler, and nothing else', () => {
    expect(registeredHandlerModules()).toStrictEqual(modulesExportingHandler().sort());
  });

  it('is what HandlerFunction accepts: a function of an unregistered module fails synthesis, naming it', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Registry');

    const act = () => new HandlerFunction(stack, 'Stray', { module: 'stray', serviceName: 'test' });

    expect(act).toThrow(/handler module "stray" is not registered in infra\/handlers\.ts/);
  });

  it('gives, from the sources, the TypeScript entry NodejsFunction bundles at synth', () => {
    expect(handlerCode(WorkflowHandlers.checkEndpoint)).toStrictEqual({
      entry: handlerEntry(WorkflowHandlers.checkEndpoint),
    });
  });

  it('fails for a module that is not registered, naming it', () => {
    expect(() => handlerCode('notAHandler')).toThrow(
      /"notAHandler" is not registered in infra\/handlers\.ts/,
    );
  });
});
