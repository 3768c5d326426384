import type { OperationDef, ServiceGroup } from '../../operations/types.js';
import { infraOperatorOperations, infraServiceGroup } from './infra-operations.js';
import { InfraService, type InfraServiceDeps } from './infra-service.js';

/**
 * The infrastructure registry, ready to register in the operation table: the `egov-infra-registry`
 * service group, the operator report served beside it, and the service behind them (attachment
 * downloads, the demo and tests).
 */
export function createInfraRegistry(deps: InfraServiceDeps): { group: ServiceGroup; operatorOperations: OperationDef[]; service: InfraService } {
  const service = new InfraService(deps);
  return { group: infraServiceGroup(service), operatorOperations: infraOperatorOperations(service), service };
}
