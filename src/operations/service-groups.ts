import { describedHoldersGroup } from '../registries/holders/holders-operations.js';
import { describedInfraGroup } from '../registries/infra/infra-operations.js';
import { pingGroup } from './ping.js';
import type { ServiceGroup } from './types.js';

/**
 * The groups the committed service descriptions (`wsdl/*.wsdl`, `npm run wsdl`) are generated from.
 * Only definitions are read here (schemas, titles, codes), never handlers, so registries may build
 * their groups with stand-in dependencies. Each registry adds its group to this list.
 */
export function describedServiceGroups(): ServiceGroup[] {
  return [pingGroup(), describedHoldersGroup(), describedInfraGroup()];
}
