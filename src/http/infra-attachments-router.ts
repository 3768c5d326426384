import { Router, type Response } from 'express';
import type { AccessControl } from '../acl/access-control.js';
import { AppError } from '../errors/app-error.js';
import type { InfraService } from '../registries/infra/infra-service.js';
import type { ApiAuthLocals } from './api-auth.js';
import type { OpenApiPaths } from './openapi.js';

export interface InfraAttachmentsRouterDeps {
  service: Pick<InfraService, 'getAttachment'>;
  acl: AccessControl;
  subsystem: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * `GET /elements/:elementId/attachments/:attachmentId` (under /api/v1, behind the API auth): the
 * stored file of an element, when the caller may read the element (`getElement` in the ACL and the
 * registry's own role check). The stored bytes are checked against their SHA-256 before they leave.
 */
export function createInfraAttachmentsRouter(deps: InfraAttachmentsRouterDeps): Router {
  const router = Router();
  router.get('/elements/:elementId/attachments/:attachmentId', async (req, res: Response) => {
    const locals = res.locals as ApiAuthLocals & { requestId?: string };
    const elementId = String(req.params.elementId);
    const attachmentId = String(req.params.attachmentId);
    if (!ID.test(elementId) || !ID.test(attachmentId)) throw new AppError('NOT_FOUND');
    const client = locals.apiClient.client;
    if (!deps.acl.isAllowed(client, deps.subsystem, 'getElement')) throw new AppError('ACCESS_DENIED');
    const { meta, bytes } = await deps.service.getAttachment(
      { elementId, attachmentId },
      { client, userId: locals.userId, requestId: locals.requestId, now: new Date() },
    );
    res.set({
      'Content-Type': meta.contentType,
      'Content-Length': String(bytes.length),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(meta.filename ?? meta.attachmentId)}`,
      'Digest': `sha-256=${Buffer.from(meta.sha256, 'hex').toString('base64')}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(bytes);
  });
  return router;
}

export const INFRA_ATTACHMENTS_OPENAPI: OpenApiPaths = {
  '/elements/{elementId}/attachments/{attachmentId}': {
    get: {
      operationId: 'getElementAttachment',
      tags: ['egov-infra-registry'],
      summary: 'Download an attachment of an element (the stored bytes, checked against their SHA-256)',
      parameters: [
        { name: 'elementId', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        '403': { description: 'Not allowed to read this element' },
        '404': { description: 'No such element or attachment' },
      },
    },
  },
};
