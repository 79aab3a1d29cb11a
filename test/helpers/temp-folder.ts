import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A folder of the test file's own, made before its tests and removed after them. */
export interface TempFolder {
  /** The folder's path (set once the tests start). */
  readonly dir: string;
  /** Writes a file (creating its folders) below the folder; returns its path. */
  file(name: string, text: string): string;
}

/** Makes a temporary folder for the tests of the calling file (call it at the top level). */
export function useTempFolder(prefix: string): TempFolder {
  let dir = '';
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix)); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() { return dir; },
    file(name: string, text: string): string {
      const f = path.join(dir, name);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, text);
      return f;
    },
  };
}
