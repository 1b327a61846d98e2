import { describe, expect, it } from 'vitest';
import { ConfigInvalid, loadGatewayConfig } from '../../gateway/config';
import { supergraphPath } from '../../schema';

describe('gateway configuration', () => {
  it('defaults to port 4000 on localhost, our supergraph, development mode', () => {
    const config = loadGatewayConfig({}, []);
    expect(config).toMatchObject({ port: 4000, host: 'localhost', supergraphPath, production: false, subgraphUrls: {} });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the supergraph from --supergraph before SUPERGRAPH_PATH, and subgraph URLs from SUBGRAPH_URL_<NAME>', () => {
    const config = loadGatewayConfig(
      {
        SUPERGRAPH_PATH: '/env.graphql',
        SUBGRAPH_URL_CITIZEN: 'http://cpr.internal:4001/graphql',
        NODE_ENV: 'production',
        PORT: '8080',
        AUTH_ISSUER: 'https://idp.example',
        AUTH_AUDIENCE: 'kommune-graph',
        AUTH_JWKS_FILE: '/etc/kommune-graph/jwks.json',
        AUDIT_DATABASE_URL: 'postgres://audit@db.internal/audit',
        AUDIT_KEYS: '/etc/kommune-graph/audit-keys.json',
      },
      ['--supergraph', '/arg.graphql'],
    );
    expect(config).toMatchObject({
      supergraphPath: '/arg.graphql',
      subgraphUrls: { citizen: 'http://cpr.internal:4001/graphql' },
      production: true,
      port: 8080,
    });
  });

  it('refuses bad values with every issue listed under CONFIG_INVALID', () => {
    let error: unknown;
    try {
      loadGatewayConfig({ PORT: 'eighty', SUBGRAPH_URL_CASE: 'not a url' }, []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).code).toBe('CONFIG_INVALID');
    expect((error as ConfigInvalid).issues).toHaveLength(2);
    expect((error as Error).message).toMatch(/port[\s\S]*subgraphUrls\.case/);
  });

  it('refuses production without authentication or an access trail, and a symmetric algorithm in the allow-list', () => {
    expect(() => loadGatewayConfig({ NODE_ENV: 'production' }, [])).toThrow(/production .* needs AUTH_ISSUER[\s\S]*no audit, no data/);
    expect(() =>
      loadGatewayConfig({ AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a', AUTH_JWKS_FILE: 'j', AUTH_ALGORITHMS: 'EdDSA,HS256' }, []),
    ).toThrow(/auth\.algorithms\.1: must be an asymmetric JWS algorithm/);
  });

  it('refuses --supergraph without a file', () => {
    expect(() => loadGatewayConfig({}, ['--supergraph'])).toThrow(/--supergraph: give the path/);
  });

  it('takes LOG_LEVEL and LOG_FORMAT (info and json by default), and refuses others naming the values it takes', () => {
    expect(loadGatewayConfig({}, []).log).toEqual({ level: 'info', format: 'json' });
    expect(loadGatewayConfig({ LOG_LEVEL: 'debug', LOG_FORMAT: 'pretty' }, []).log).toEqual({ level: 'debug', format: 'pretty' });
    let thrown: unknown;
    try {
      loadGatewayConfig({ LOG_LEVEL: 'verbose', LOG_FORMAT: 'text' }, []);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as ConfigInvalid).issues).toEqual([
      'log.level: must be one of fatal, error, warn, info, debug, trace, silent (LOG_LEVEL)',
      'log.format: must be json or pretty (LOG_FORMAT)',
    ]);
  });
});
