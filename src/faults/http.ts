/**
 * Faults over HTTP, under /_switchyard/api/ (docs/inspection-api.md), for tests in any language
 * and for the debug UI:
 *
 *   GET    /faults                 {seed, faults: [...], recent: [...]}: every fault with how often it was
 *                                  asked and fired, and the last 200 that fired ({at, faultId, kind, where})
 *   POST   /faults                 a fault (JSON), or {faults: [...]} several; 201 with what was added
 *   DELETE /faults/<id>            remove one; DELETE /faults removes all
 *   POST   /faults/seed            {"seed": 42}: every fault's decisions start again from that seed
 *
 * Writes take application/json only, so a page on another origin cannot make them with a simple
 * form post.
 */
import express from 'express';
import { FaultSpecError, checkFaultSpec, type Faults } from './faults.js';

export function faultsApi(faults: Faults): express.Router {
  const router = express.Router();
  const json = express.json({ limit: '256kb' });
  const list = () => ({
    seed: faults.seed,
    faults: faults.list(),
    recent: faults.recent.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
  });

  router.get('/faults', (_req, res) => {
    res.json(list());
  });

  router.post('/faults/seed', json, (req, res) => {
    const seed = (req.body as { seed?: unknown } | undefined)?.seed;
    if (!req.is('application/json') || typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      res.status(400).json({ error: 'BadRequest', message: 'Send {"seed": <integer from 0 to 4294967295>} as application/json.' });
      return;
    }
    faults.reseed(seed);
    res.json(list());
  });

  router.post('/faults', json, (req, res) => {
    if (!req.is('application/json')) {
      res.status(400).json({ error: 'BadRequest', message: 'Send a fault, or {"faults": [...]}, as application/json.' });
      return;
    }
    const body = req.body as unknown;
    const many = typeof body === 'object' && body !== null && !Array.isArray(body) && Array.isArray((body as { faults?: unknown }).faults);
    const specs = many ? ((body as { faults: unknown[] }).faults) : [body];
    try {
      // Every fault is checked before any is added: a bad one adds none.
      const checked = specs.map((s, i) => checkFaultSpec(s, many ? `faults[${i}]` : 'fault'));
      const added = checked.map((s) => faults.add(s));
      res.status(201).json(many ? { faults: added } : added[0]);
    } catch (err) {
      if (!(err instanceof FaultSpecError)) throw err;
      res.status(400).json({ error: 'InvalidFault', message: err.message });
    }
  });

  router.delete('/faults', (_req, res) => {
    const removed = faults.list().length;
    for (const f of faults.list()) faults.remove(f.id);
    res.json({ removed });
  });

  router.delete('/faults/:id', (req, res) => {
    if (!faults.remove(String(req.params.id))) {
      res.status(404).json({ error: 'NotFound', message: `No fault ${req.params.id}.` });
      return;
    }
    res.json({ removed: 1 });
  });

  return router;
}
