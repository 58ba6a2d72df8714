/**
 * Events state on disk (STUB: to be filled in). See ServiceStore in ./service-store.ts.
 */
import type { EventsService } from '../events/service.js';
import type { ServiceStore, StoreIo } from './service-store.js';

export function createEventsStore(service: EventsService): ServiceStore {
  void service;
  let io: StoreIo | undefined;
  void io;
  return {
    name: 'events',
    exportCatalog: () => ({}),
    importCatalog: () => {},
    snapshot: () => [],
    replay: () => {},
    attach: (next) => {
      io = next;
    },
  };
}
