import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './environment';
import { ServerKeys } from './server-keys';

describe('ServerKeys', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'egide-keys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates the secret once into DATA_DIR with mode 0600 and reuses it', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = ServerKeys.load(config).derive('access-token-signing');
    const path = join(dataDir, 'server-secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = ServerKeys.load(config).derive('access-token-signing');
    expect(again.equals(first)).toBe(true);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('derives distinct keys per purpose and uses SERVER_SECRET when given', () => {
    const keys = ServerKeys.fromSecret('b'.repeat(43));
    expect(keys.derive('totp-at-rest').equals(keys.derive('prelogin-decoy'))).toBe(false);
    const configured = ServerKeys.load(loadConfig({ DATA_DIR: dataDir, SERVER_SECRET: 'b'.repeat(43) }));
    expect(configured.derive('totp-at-rest').equals(keys.derive('totp-at-rest'))).toBe(true);
  });
});
