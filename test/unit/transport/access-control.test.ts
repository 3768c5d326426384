import { expect } from 'chai';
import { z } from 'zod';
import { AccessControl } from '../../../src/acl/access-control.js';
import { OperationTable } from '../../../src/operations/operation-table.js';
import { defineOperation, type ServiceGroup } from '../../../src/operations/types.js';

function group(subsystem: string, codes: string[]): ServiceGroup {
  const namespace = `urn:test:${subsystem}`;
  const title = { ky: 'k', ru: 'r', en: 'e' };
  return {
    subsystem,
    namespace,
    title,
    operations: codes.map((serviceCode) =>
      defineOperation({ subsystem, serviceCode, version: 'v1', namespace, title, kind: 'read', input: z.object({}), output: z.object({}), handler: async () => ({}) }),
    ),
  };
}

const table = new OperationTable().register(group('holders', ['registerHolder', 'getHolder', 'listHolders'])).register(group('infra', ['getElement', 'decideRegistration']));
const PORTAL = 'central-server/GOV/70000030/portal';
const OPERATOR = 'central-server/GOV/70000098/operator';
const ANYONE_ELSE = 'central-server/GOV/70000050/ministry';

const acl = new AccessControl({
  [PORTAL]: { holders: ['registerHolder', 'getHolder'] },
  [OPERATOR]: { infra: ['*'] },
  '*': { holders: ['listHolders'] },
});

describe('access control', () => {
  it('is denied by default and follows the configured matrix exactly', () => {
    const clients = [PORTAL, OPERATOR, ANYONE_ELSE];
    const matrix = clients.map((c) => table.operations().map((op) => (acl.isAllowed(c, op.subsystem, op.serviceCode) ? 1 : 0)));
    // registerHolder getHolder listHolders getElement decideRegistration
    expect(matrix).to.deep.equal([
      [1, 1, 1, 0, 0],
      [0, 0, 1, 1, 1],
      [0, 0, 1, 0, 0],
    ]);
  });

  it('lists every grant with wildcards expanded, for documentation and matrix tests', () => {
    expect(acl.grants(table).map((g) => `${g.client} ${g.subsystem}.${g.serviceCode}`)).to.deep.equal([
      `${PORTAL} holders.registerHolder`,
      `${PORTAL} holders.getHolder`,
      `${OPERATOR} infra.getElement`,
      `${OPERATOR} infra.decideRegistration`,
      '* holders.listHolders',
    ]);
  });

  it('matches clients exactly: no member-level or prefix matches, and prototype names are plain misses', () => {
    expect(acl.isAllowed('central-server/GOV/70000030', 'holders', 'getHolder')).to.equal(false);
    expect(acl.isAllowed(`${PORTAL}x`, 'holders', 'getHolder')).to.equal(false);
    expect(acl.isAllowed('__proto__', 'holders', 'getHolder')).to.equal(false);
    expect(acl.isAllowed(PORTAL, 'constructor', 'getHolder')).to.equal(false);
    expect(acl.isAllowed(PORTAL, 'holders', 'constructor')).to.equal(false);
    expect(new AccessControl({}).isAllowed(PORTAL, 'holders', 'getHolder')).to.equal(false);
  });

  it('reports entries that match nothing served', () => {
    const typo = new AccessControl({ [PORTAL]: { holders: ['getHolders'], nope: ['*'] } });
    expect(typo.unknownEntries(table)).to.deep.equal([`acl.${PORTAL}.holders: no operation getHolders`, `acl.${PORTAL}.nope: no such provider subsystem`]);
  });
});
