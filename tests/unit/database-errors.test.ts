import { databaseAddress, DatabaseStartupError, explainStartupFailure } from '../../src/db/errors';

/** The one line start-up prints for a database it cannot use: the shapes that cannot be produced by a real server here (Atlas, DNS). */
function driverError(name: string, message: string, fields: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), { name }, fields);
}

describe('databaseAddress', () => {
  it('when the URI lists several hosts or a mongodb+srv name, then the hosts are named as the driver reads them, the credentials never', () => {
    expect(databaseAddress('mongodb://app:pw%40x@db1:27017,db2,db3:27019/shop?replicaSet=rs0')).toEqual({
      hosts: 'db1:27017, db2:27017, db3:27019',
      secrets: ['app', 'pw@x'],
    });
    expect(databaseAddress('mongodb+srv://app:pw@cluster0.ab1cd.mongodb.net/shop').hosts).toBe(
      'cluster0.ab1cd.mongodb.net',
    );
    expect(databaseAddress('mongodb://localhost').hosts).toBe('localhost:27017');
  });

  it('when the password has unescaped characters (the driver refuses to parse it), then no part of the URI is shown', () => {
    expect(databaseAddress('mongodb://app:pa/ss@db1/shop')).toEqual({
      hosts: 'the host in MONGOOSE_CONNECTION_STRING',
      secrets: [],
    });
  });
});

describe('explainStartupFailure', () => {
  const uri = 'mongodb+srv://app:Hunter2-Hunter2@cluster0.ab1cd.mongodb.net/shop';

  it('when Atlas refuses the login (code 8000 "bad auth"), then the line says the user name or password was refused', () => {
    const error = driverError('MongoServerError', 'bad auth : authentication failed', {
      code: 8000,
      codeName: 'AtlasError',
    });

    expect(explainStartupFailure(error, uri, 0)?.message).toMatch(
      /^MongoDB at cluster0\.ab1cd\.mongodb\.net refused the user name or password .*Database Access/,
    );
  });

  it('when the mongodb+srv name does not resolve, then it is "cannot reach" with the host and what to check', () => {
    const error = driverError('Error', 'querySrv ENOTFOUND _mongodb._tcp.cluster0.ab1cd.mongodb.net', {
      code: 'ENOTFOUND',
    });

    const explained = explainStartupFailure(error, uri, 30_000);

    expect(explained).toBeInstanceOf(DatabaseStartupError);
    expect(explained?.message).toMatch(
      /^Cannot reach MongoDB at cluster0\.ab1cd\.mongodb\.net \(querySrv ENOTFOUND .*\), retried for 30 s .*Network Access list\?$/,
    );
  });

  it('when the user may not create indexes (13 Unauthorized), then the line names the role it needs', () => {
    const error = driverError(
      'MongoServerError',
      'not authorized on shop to execute command { createIndexes: "users" }',
      {
        code: 13,
        codeName: 'Unauthorized',
      },
    );

    expect(explainStartupFailure(error, uri, 0)?.message).toMatch(
      /does not let this connection create indexes .*readWrite role/,
    );
  });

  it("when the driver's message quotes the credentials, then the reason is left out of the line", () => {
    const error = driverError('MongoServerSelectionError', 'connect to app:Hunter2-Hunter2@cluster0 failed');

    const message = explainStartupFailure(error, uri, 1000)?.message ?? '';

    expect(message).toMatch(/^Cannot reach MongoDB at cluster0\.ab1cd\.mongodb\.net, retried/);
    expect(message).not.toContain('Hunter2');
  });

  it('when the error is about something else (a bug, an index conflict), then it is not dressed up as a connection problem', () => {
    expect(
      explainStartupFailure(
        driverError('MongoServerError', 'Index already exists with a different name', { code: 85 }),
        uri,
        0,
      ),
    ).toBeUndefined();
    expect(explainStartupFailure(new TypeError('x is undefined'), uri, 0)).toBeUndefined();
  });
});
