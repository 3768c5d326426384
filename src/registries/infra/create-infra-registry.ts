import type { ServiceGroup } from '../../operations/types.js';
import { infraServiceGroup } from './infra-operations.js';
import { InfraService, type InfraServiceDeps } from './infra-service.js';

/**
 * The infrastructure registry, ready to register in the operation table: the `egov-infra-registry`
 * service group and the service behind it (for the operator report, attachment downloads, the
 * demo and tests).
 */
export function createInfraRegistry(deps: InfraServiceDeps): { group: ServiceGroup; service: InfraService } {
  const service = new InfraService(deps);
  return { group: infraServiceGroup(service), service };
}
