import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { AppError } from '../../../src/errors/app-error.js';
import { errorHandler } from '../../../src/http/problem.js';
import { createLegalEntitiesRouter, LEGAL_ENTITIES_OPENAPI } from '../../../src/http/legal-entities-router.js';
import { silentLogger } from '../../../src/log/logger.js';
import type { LegalEntity, MinjustClient, Sourced } from '../../../src/consumers/types.js';

const INN = '01001202210023';

describe('http/legal-entities router', () => {
  const seen: Array<{ inn: string; ctx: unknown }> = [];
  let answer: () => Promise<Sourced<LegalEntity>>;
  const minjust: MinjustClient = {
    async getSubjectByTin(inn, ctx) {
      seen.push({ inn, ctx });
      return answer();
    },
  };
  const app = express();
  app.use((_req, res, next) => {
    res.locals.requestId = 'req-1';
    res.locals.userId = '21503199000017';
    next();
  });
  app.use('/api/v1', createLegalEntitiesRouter({ minjust }));
  app.use(errorHandler(silentLogger()));

  beforeEach(() => {
    seen.length = 0;
  });

  it('returns the mapped data with source, fetchedAt, stale and age', async () => {
    const data: LegalEntity = { inn: INN, nameOfficial: 'Учреждение', okpo: '31296230', legalAddress: { city: 'БИШКЕК' }, missingFields: ['ownershipForm', 'subordination'] };
    answer = async () => ({ data, source: 'central-server/GOV/70000024/minjust-service/getSubjectByTin', fetchedAt: '2026-03-02T08:00:00.000Z', stale: true, ageSeconds: 90000 });
    const res = await request(app).get(`/api/v1/legal-entities/${INN}`).expect(200);
    expect(res.body).to.deep.equal({ data, source: 'central-server/GOV/70000024/minjust-service/getSubjectByTin', fetchedAt: '2026-03-02T08:00:00.000Z', stale: true, ageSeconds: 90000 });
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(seen).to.deep.equal([{ inn: INN, ctx: { requestId: 'req-1', userId: '21503199000017' } }]);
  });

  it('refuses anything but 14 digits with a clear message in the caller\'s language, without asking MoJ', async () => {
    for (const [bad, lang, text] of [
      ['123', 'ru', 'ИНН должен состоять из 14 цифр.'],
      ['0100120221002x', 'ky', 'ИНН 14 сандан турушу керек.'],
      ['010012022100231', 'en', 'The INN must consist of 14 digits.'],
    ]) {
      const res = await request(app).get(`/api/v1/legal-entities/${bad}`).set('Accept-Language', lang).expect(422);
      expect(res.body.code).to.equal('VALIDATION_FAILED');
      expect(res.body.fields[0]).to.deep.include({ field: 'inn', reason: 'INN_FORMAT', message: text });
      expect(res.body.fields[0].messages).to.have.all.keys('ky', 'ru', 'en');
    }
    expect(seen).to.have.length(0);
  });

  it('passes typed errors through: not found 404, MoJ down 503', async () => {
    answer = async () => {
      throw new AppError('NOT_FOUND');
    };
    expect((await request(app).get(`/api/v1/legal-entities/${INN}`).expect(404)).body.code).to.equal('NOT_FOUND');
    answer = async () => {
      throw new AppError('UPSTREAM_UNAVAILABLE');
    };
    const res = await request(app).get(`/api/v1/legal-entities/${INN}`).expect(503);
    expect(res.body.faultCode).to.equal('Server.UpstreamUnavailable');
  });

  it('describes itself for the OpenAPI document', () => {
    const get = LEGAL_ENTITIES_OPENAPI['/legal-entities/{inn}'].get as { parameters: Array<{ name: string; schema: { pattern?: string } }> };
    expect(get.parameters[0]).to.deep.include({ name: 'inn' });
    expect(get.parameters[0].schema.pattern).to.equal('^[0-9]{14}$');
  });
});
