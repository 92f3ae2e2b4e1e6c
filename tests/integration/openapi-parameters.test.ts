import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { buildTestApp } from '../helpers/app';
import { adminToken } from '../helpers/builders';
import { useTestDatabase } from '../helpers/db';

/**
 * What schemathesis found on the merged API, kept fixed: the document must say exactly what a request may
 * be, so a client (or fuzzer) generating "valid" requests from it sends what the API accepts.
 */
useTestDatabase();
const app = buildTestApp();

interface Parameter {
  name: string;
  in: string;
  schema: object;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean };
  responses: Record<string, unknown>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

async function documented(): Promise<Doc> {
  return (await request(app).get('/api/openapi.json').expect(200)).body as Doc;
}

describe('the OpenAPI document says what the API accepts', () => {
  it("when the admin list's createdFrom / createdTo are checked against their documented schema, then it accepts exactly what the server accepts", async () => {
    const doc = await documented();
    const parameter = doc.paths['/api/admin/orders']!.get!.parameters!.find((p) => p.name === 'createdFrom')!;
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const fitsDocument = ajv.compile(parameter.schema);
    const admin = await adminToken(app);
    const samples = [
      '2026-01-15',
      '2024-02-29',
      '2026-01-15T10:30:00Z',
      '2026-01-15T10:30:00.123+02:00',
      '0000000000000000000000000000000000000000',
      '2026-02-29',
      '2026-13-01',
      '2026-01-15T10:30:00',
      '2026-01-15 10:30:00Z',
      '15/01/2026',
      'today',
      '2026-01-15T10:30:00.1234567890123456789012Z',
    ];

    for (const sample of samples) {
      const res = await request(app)
        .get('/api/admin/orders')
        .query({ createdFrom: sample })
        .set('Authorization', admin);
      expect({ sample, documented: fitsDocument(sample) }).toEqual({ sample, documented: res.status === 200 });
    }
  });

  it('when the refund body is left out, then the document says the body is optional, as it is; a body that needs fields stays required', async () => {
    const doc = await documented();

    expect(doc.paths['/api/orders/{id}/refund']!.post!.requestBody?.required).toBe(false);
    expect(doc.paths['/api/orders/create']!.post!.requestBody?.required).toBe(true);
    expect(doc.paths['/api/products/{id}']!.patch!.requestBody?.required).toBe(true);
  });

  it('when METRICS_TOKEN is unset, then GET /metrics is the documented 404', async () => {
    const doc = await documented();

    const res = await request(app).get('/metrics');

    expect(res.status).toBe(404);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
    expect(Object.keys(doc.paths['/metrics']!.get!.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
  });
});
