/**
 * A second adapter process for the registration-number test: opens the store named in
 * STORE_CONFIG, says "ready", and on "go" confirms (stage II) the holders named in INNS, sending
 * back their registration numbers.
 */
import { openStore, type Store } from '../../../src/store/store.js';
import { AGENCY_ACTOR_PIN, AGENCY_LEGAL_ENTITY, AGENCY_STAGE_2 } from '../../../fixtures/holders/agency-example.js';
import { caller, makeHarness } from './holders-harness.js';

const send = (m: unknown): void => void process.send?.(m);
const store: Store = await openStore(JSON.parse(process.env.STORE_CONFIG ?? '{}'));
const h = makeHarness(store);
const inns = (process.env.INNS ?? '').split(',').filter(Boolean);
for (const inn of inns) {
  h.minjust.add({ ...AGENCY_LEGAL_ENTITY, inn });
  h.bis.allow(AGENCY_ACTOR_PIN, inn);
}
process.on('message', (m) => {
  if (m !== 'go') return;
  Promise.all(inns.map((inn) => h.registry.service.submitDataArrays({ ...AGENCY_STAGE_2, inn }, caller())))
    .then((out) => send({ numbers: out.map((o) => o.registrationNumber) }))
    .catch((e: unknown) => send({ error: String(e) }))
    .finally(() => void store.close().then(() => process.disconnect()));
});
send('ready');
