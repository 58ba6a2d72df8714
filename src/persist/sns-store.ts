/**
 * Sns state on disk (STUB: to be filled in). See ServiceStore in ./service-store.ts.
 */
import type { SnsService } from '../sns/service.js';
import type { ServiceStore, StoreIo } from './service-store.js';

export function createSnsStore(service: SnsService): ServiceStore {
  void service;
  let io: StoreIo | undefined;
  void io;
  return {
    name: 'sns',
    exportCatalog: () => ({}),
    importCatalog: () => {},
    snapshot: () => [],
    replay: () => {},
    attach: (next) => {
      io = next;
    },
  };
}
