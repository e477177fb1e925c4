import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

// Where uploaded files live and when they go.

describe('PRIVATE_UPLOAD_DIR', () => {
  it('may not be UPLOAD_DIR or a folder inside it, which /uploads serves to anyone', () => {
    expect(() => loadConfig({ UPLOAD_DIR: './uploads', PRIVATE_UPLOAD_DIR: './uploads/private' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(() => loadConfig({ UPLOAD_DIR: '/srv/files', PRIVATE_UPLOAD_DIR: '/srv/files' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(() => loadConfig({ UPLOAD_DIR: '/srv/files/', PRIVATE_UPLOAD_DIR: '/srv/files/../files/x' })).toThrow(/PRIVATE_UPLOAD_DIR/);
    expect(loadConfig({ UPLOAD_DIR: '/srv/files', PRIVATE_UPLOAD_DIR: '/srv/files-private' }).PRIVATE_UPLOAD_DIR).toBe('/srv/files-private');
    expect(loadConfig({ UPLOAD_DIR: '/srv/data/public', PRIVATE_UPLOAD_DIR: '/srv/data' }).PRIVATE_UPLOAD_DIR).toBe('/srv/data');
    expect(loadConfig({}).PRIVATE_UPLOAD_DIR).toBe('./data/private-uploads');
  });
});
