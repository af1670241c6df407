import { ConfigError, configTableMarkdown, loadConfig, settings } from '../../server/config';

describe('loadConfig', () => {
  test('the defaults alone are a valid local configuration', () => {
    const config = loadConfig({});
    expect(config.ZEEBE_GRPC_ADDRESS).toBe('grpc://127.0.0.1:26500');
    expect(config.DATABASE_URL).toBe('postgresql://lltp@127.0.0.1:5432/lltp');
    expect(config.SMTP_URL).toBe('smtp://127.0.0.1:1025');
    expect(config.HTTP_PORT).toBe(3000);
  });

  test.each([
    ['HTTP_PORT', 'abc', 'must be an integer'],
    ['HTTP_PORT', '70000', 'must be at most 65535'],
    ['ZEEBE_GRPC_ADDRESS', 'http://x:1', 'must be a URL with scheme grpc or grpcs'],
    ['DATABASE_URL', 'mongodb://127.0.0.1/lltp', 'must be a URL with scheme postgres or postgresql'],
    ['LOG_LEVEL', 'loud', 'must be one of'],
    ['MAIL_FROM', '', 'must not be empty'],
    ['TRUST_PROXY', 'true', 'true is refused: it would trust the X-Forwarded-For the client writes itself'],
    ['TRUST_PROXY', '0', 'a hop count must be between 1 and 10'],
    ['TRUST_PROXY', '10.0.0.5, proxy.example', 'not an IP address, a CIDR'],
    ['TRUST_PROXY', '10.0.0.0/33', 'not an IP address, a CIDR'],
  ])('%s=%j is refused with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems).toHaveLength(1);
      expect(problems[0]?.setting).toBe(name);
      expect(problems[0]?.message).toContain(message);
    }
  });

  test.each([
    ['', false],
    ['false', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.5', ['10.0.0.5']],
    ['10.0.0.0/24, loopback, fd00::/8', ['10.0.0.0/24', 'loopback', 'fd00::/8']],
  ])('TRUST_PROXY=%j is read as %j (Express\'s trust proxy: a hop count or the proxies\' addresses)', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  test('every bad setting is reported at once', () => {
    expect(() => loadConfig({ HTTP_PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/HTTP_PORT .*LOG_LEVEL|LOG_LEVEL .*HTTP_PORT/);
  });

  test('OAuth needs its three settings', () => {
    expect(() => loadConfig({ ZEEBE_AUTH_STRATEGY: 'OAUTH' })).toThrow(/ZEEBE_OAUTH_URL is required.*ZEEBE_CLIENT_ID.*ZEEBE_CLIENT_SECRET/);
  });
});

describe('configTableMarkdown', () => {
  test('has one row per setting and marks secrets', () => {
    const table = configTableMarkdown();
    for (const name of Object.keys(settings)) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toMatch(/\| `ZEEBE_CLIENT_SECRET` \| string \| \*\(empty\)\* \| yes \|/);
  });
});
