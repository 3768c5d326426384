import type { Config } from '../config/schema.js';
import type { OperationTable } from '../operations/operation-table.js';

/** Any authenticated client (not anonymous: every transport authenticates before asking). */
export const ANY_CLIENT = '*';
/** Every operation of a subsystem. */
export const ANY_OPERATION = '*';

export type AclConfig = Config['acl'];

/** One (client, operation) grant after expanding wildcards against the table, for matrix tests and docs. */
export interface AclGrant {
  client: string;
  subsystem: string;
  serviceCode: string;
}

/**
 * Who may call what (CONTRACT §5: per client subsystem, per operation, denied by default).
 * Client keys are matched exactly (instance/class/code/subsystem, as `clientKey()` builds them);
 * X-Road ACLs name a serviceCode without version (message protocol 4.0 §3.1), so neither does this.
 * Lookups go through Maps built from the config, never through object property access, so a
 * client or operation named `__proto__` or `constructor` is just another missing name.
 */
export class AccessControl {
  private readonly rules: Map<string, Map<string, Set<string>>>;

  constructor(acl: AclConfig) {
    this.rules = new Map(
      Object.entries(acl).map(([client, bySubsystem]) => [client, new Map(Object.entries(bySubsystem).map(([subsystem, ops]) => [subsystem, new Set(ops)]))]),
    );
  }

  /** The one question every transport asks. */
  isAllowed(client: string, subsystem: string, serviceCode: string): boolean {
    return [client, ANY_CLIENT].some((key) => {
      const ops = this.rules.get(key)?.get(subsystem);
      return ops !== undefined && (ops.has(serviceCode) || ops.has(ANY_OPERATION));
    });
  }

  /** Every grant, wildcard operations expanded against the table; the `*` client stays `*`. */
  grants(table: OperationTable): AclGrant[] {
    const out: AclGrant[] = [];
    for (const [client, bySubsystem] of this.rules) {
      for (const [subsystem, ops] of bySubsystem) {
        for (const op of table.group(subsystem)?.operations ?? []) {
          if (ops.has(op.serviceCode) || ops.has(ANY_OPERATION)) out.push({ client, subsystem, serviceCode: op.serviceCode });
        }
      }
    }
    return out;
  }

  /** Rules naming a subsystem or operation the table does not serve: likely typos, reported at start-up. */
  unknownEntries(table: OperationTable): string[] {
    const problems: string[] = [];
    for (const [client, bySubsystem] of this.rules) {
      for (const [subsystem, ops] of bySubsystem) {
        const group = table.group(subsystem);
        if (!group) {
          problems.push(`acl.${client}.${subsystem}: no such provider subsystem`);
          continue;
        }
        for (const op of ops) {
          if (op !== ANY_OPERATION && !group.operations.some((o) => o.serviceCode === op)) problems.push(`acl.${client}.${subsystem}: no operation ${op}`);
        }
      }
    }
    return problems;
  }
}
