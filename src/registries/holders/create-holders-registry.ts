import type { WorkingCalendar } from '../../calendar/working-calendar.js';
import type { BisClient, MinjustClient } from '../../consumers/types.js';
import type { Logger } from '../../log/logger.js';
import type { OperationDef, ServiceGroup } from '../../operations/types.js';
import type { Store } from '../../store/store.js';
import { holdersOperations } from './holders-operations.js';
import { HoldersService } from './holders-service.js';
import { KnexHoldersStore } from './holders-store.js';

export interface HoldersRegistryDeps {
  store: Store;
  minjust: MinjustClient;
  bis: BisClient;
  calendar: WorkingCalendar;
  logger: Logger;
  /** Clock for calls whose context carries none; handlers otherwise use ctx.now. */
  now?: () => Date;
  /** config `holders.contactsVisibleTo`: clients (or whole members) that see personal contacts and drafts. */
  contactsVisibleTo?: readonly string[];
}

export interface HoldersRegistry {
  /** `pd-holders-registry`: the seven operations of CONTRACT §5. */
  group: ServiceGroup;
  service: HoldersService;
  /** Operator reads beside the group (overdue report, change history), for /api/v1 under the ACL. */
  operatorOperations: OperationDef[];
}

/** Wires the registry of holders of personal data arrays on the knex store. */
export function createHoldersRegistry(deps: HoldersRegistryDeps): HoldersRegistry {
  const service = new HoldersService({
    store: new KnexHoldersStore(deps.store),
    minjust: deps.minjust,
    bis: deps.bis,
    calendar: deps.calendar,
    logger: deps.logger,
    contactsVisibleTo: deps.contactsVisibleTo,
  });
  const { group, operatorOperations } = holdersOperations(service, deps.now);
  return { group, service, operatorOperations };
}
