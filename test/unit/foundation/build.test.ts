import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The Docker image runs `npm run build` (tsconfig.build.json: the service and the fixtures it
 * serves, without test code). No Docker engine runs the tests, so the compile step is checked here:
 * a test helper reached from a runtime file would fail the image build.
 */
describe('the image build', function () {
  this.timeout(180_000);

  it('compiles the service and its fixtures without errors', () => {
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noEmit'], { cwd: root, encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).to.equal(0);
  });
});
