import { ConfigValidationError, loadConfig } from './environment';

const secret = 'a'.repeat(43);

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('takes its defaults from config/default.env', () => {
    const config = loadConfig({});
    expect(config).toEqual(
      expect.objectContaining({
        port: 3000,
        host: '127.0.0.1',
        databaseUrl: undefined,
        nodeEnv: 'development',
        logLevel: 'info',
        corsOrigins: [],
        apiDocs: true,
        serverSecret: undefined,
        shutdownTimeoutMs: 10000,
      }),
    );
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it('lists every invalid variable at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      HOST: 'bad host!',
      DATABASE_URL: 'mysql://x',
      NODE_ENV: 'staging',
      LOG_LEVEL: 'loud',
      CORS_ORIGINS: 'not-an-origin',
      API_DOCS: 'maybe',
      SERVER_SECRET: 'short',
      DATABASE_POOL_SIZE: '0',
    });
    const variables = problems.map((problem) => problem.split(':', 1)[0]);
    expect(new Set(variables)).toEqual(
      new Set(['PORT', 'HOST', 'DATABASE_URL', 'NODE_ENV', 'LOG_LEVEL', 'CORS_ORIGINS', 'API_DOCS', 'SERVER_SECRET', 'DATABASE_POOL_SIZE']),
    );
  });

  it('requires SERVER_SECRET in production and hides the docs there by default', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^SERVER_SECRET: required/)]);
    const config = loadConfig({ NODE_ENV: 'production', SERVER_SECRET: secret });
    expect(config.apiDocs).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SERVER_SECRET: secret, API_DOCS: 'true' }).apiDocs).toBe(true);
  });

  it('parses lists, booleans and empty values', () => {
    const config = loadConfig({
      CORS_ORIGINS: 'https://a.example, https://b.example:8443',
      API_DOCS: 'off',
      DATABASE_URL: '',
      PORT: '0',
    });
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example:8443']);
    expect(config.apiDocs).toBe(false);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(0);
  });

  it('reads TRUSTED_PROXIES as a list of addresses and CIDR ranges, and refuses anything else', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8 ,fd00::/8,::1' }).trustedProxies).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      'fd00::/8',
      '::1',
    ]);
    for (const bad of ['proxy.example', '10.0.0.0/33', '::1/129', '10.0.0.1/8/2', '*', '10.0.0.0/x']) {
      expect(problemsOf({ TRUSTED_PROXIES: bad }).join('\n')).toContain('TRUSTED_PROXIES must be');
    }
  });

  it('logs JSON in production and readable lines elsewhere, unless LOG_FORMAT says otherwise', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'production', SERVER_SECRET: secret }).logFormat).toBe('json');
    expect(loadConfig({ NODE_ENV: 'production', SERVER_SECRET: secret, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(problemsOf({ LOG_FORMAT: 'xml' })).toEqual([expect.stringMatching(/^LOG_FORMAT: /)]);
  });

  it('never puts a secret value into its error message', () => {
    const problems = problemsOf({ SERVER_SECRET: 'too-short-but-secret', DATABASE_URL: 'mysql://u:hunter2@h/db' });
    expect(problems.join('\n')).not.toContain('too-short-but-secret');
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
