import { z } from 'zod';
import { defineOperation, type ServiceGroup } from './types.js';

/** Subsystem code of the test group; served only when it is listed in `xroad.providers` and `xroad.testOperations` is on. */
export const PING_SUBSYSTEM = 'adapter-test';
export const PING_NAMESPACE = 'urn:kg:tunduk:adapter-test:v1';

const pingInput = z.object({
  text: z.string().max(256),
  /** Optional swaRef/MTOM attachment, to prove attachments reach a handler. */
  file: z.string().max(255).optional(),
});

const pingOutput = z.object({
  text: z.string(),
  client: z.string(),
  userId: z.string().optional(),
  messageId: z.string(),
  transport: z.string(),
  receivedAt: z.iso.datetime(),
  attachments: z.array(z.object({ contentId: z.string(), contentType: z.string(), size: z.number().int(), sha256: z.string() })),
});

/**
 * A transport test operation with no registry behind it: it echoes the text and tells the caller
 * what the transport established (verified client, user, message id, attachments). It has no
 * effect, so it is a `read`.
 */
export function pingGroup(subsystem: string = PING_SUBSYSTEM): ServiceGroup {
  return {
    subsystem,
    namespace: PING_NAMESPACE,
    title: { ky: 'Адаптердин сыноо кызматтары', ru: 'Тестовые сервисы адаптера', en: 'Adapter test services' },
    operations: [
      defineOperation({
        subsystem,
        serviceCode: 'ping',
        version: 'v1',
        namespace: PING_NAMESPACE,
        title: { ky: 'Байланышты текшерүү', ru: 'Проверка связи', en: 'Connectivity check' },
        kind: 'read',
        input: pingInput,
        output: pingOutput,
        attachmentFields: ['file'],
        rest: { method: 'POST', path: '/ping' },
        async handler(input, ctx) {
          return {
            text: input.text,
            client: ctx.client,
            userId: ctx.userId,
            messageId: ctx.messageId,
            transport: ctx.transport,
            receivedAt: ctx.now.toISOString(),
            attachments: ctx.attachments.map((a) => ({ contentId: a.contentId, contentType: a.contentType, size: a.bytes.length, sha256: a.sha256 })),
          };
        },
      }),
    ],
  };
}

/** Registers the test group when config asks for it and names a provider identity for it. */
export function registerTestOperations(table: { register(group: ServiceGroup): unknown }, config: { xroad: { testOperations: boolean; providers: Record<string, string> } }): boolean {
  if (!config.xroad.testOperations || !config.xroad.providers[PING_SUBSYSTEM]) return false;
  table.register(pingGroup());
  return true;
}
