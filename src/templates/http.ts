/**
 * The stacks over HTTP, under /_switchyard/api/ (docs/inspection-api.md), so tests in any
 * language find what a template created:
 *
 *   GET /stacks                      {stacks: [...]}: every stack applied, each with its resources
 *   GET /stacks/<name>               one stack; 404 when none is called that
 *   GET /stacks/<name>/<logical id>  one resource of it: physical id, Ref, ARN, URL, attributes
 */
import express from 'express';
import type { Stacks } from './stacks.js';

export function stacksApi(stacks: Stacks): express.Router {
  const router = express.Router();
  const notFound = (res: express.Response, message: string) => res.status(404).json({ error: 'NotFound', message });

  router.get('/stacks', (_req, res) => {
    res.json({ stacks: stacks.list() });
  });

  router.get('/stacks/:name', (req, res) => {
    const stack = stacks.get(String(req.params.name));
    if (!stack) return void notFound(res, `No stack named ${String(req.params.name)} was applied.`);
    res.json(stack);
  });

  router.get('/stacks/:name/:logicalId', (req, res) => {
    const stack = stacks.get(String(req.params.name));
    if (!stack) return void notFound(res, `No stack named ${String(req.params.name)} was applied.`);
    const resource = stack.resources.find((r) => r.logicalId === req.params.logicalId);
    if (!resource) return void notFound(res, `The stack ${stack.stackName} has no resource ${String(req.params.logicalId)}.`);
    res.json(resource);
  });

  return router;
}
