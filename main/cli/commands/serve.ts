import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { printJson } from '../output.js';
import { buildRenderer, DEFAULT_RENDERER_DIR } from '../../web/buildRenderer.js';
import { createBackend } from '../../web/backendFactory.js';
import { startWebServer } from '../../web/server.js';
import { defaultExportDir } from '../../session/appBackend.js';
import { resolveDatabasePath } from '../../store/paths.js';
import { addSourceOptions, sourceOpenOptions, type SourceFlags } from '../sourceOptions.js';

interface ServeOptions extends SourceFlags {
  port: string;
  open?: boolean;
  database?: string;
  model?: string;
  build: boolean;
  json?: boolean;
}

function openBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`semslam serve: could not start ${cmd}; open the URL by hand\n`));
  child.unref();
}

export function register(program: Command): void {
  addSourceOptions(program
    .command('serve'))
    .description('Run the app in a browser (web mode): HTTP + WebSocket on 127.0.0.1 with a random token in the URL')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--open', 'open the URL in the default browser')
    .option('--database <file>', 'sessions database (default: the session store\'s default)')
    .option('--model <file>', 'joint network ONNX for rgb mode and the camera (default: the shipped models/semslam-joint.onnx)')
    .option('--no-build', 'serve dist/renderer as it is instead of rebuilding it')
    .option('--json', 'print {url, port} as JSON on stdout once listening')
    .addHelpText('after', '\nThe URL printed carries a secret token; every HTTP request and WebSocket needs it.\nStop with Ctrl-C.')
    .action(async (o: ServeOptions) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${o.port} is not a port number`);
      if (o.build) {
        const r = await buildRenderer();
        process.stderr.write(`semslam serve: renderer built (${(r.bytes / 1024).toFixed(0)} KiB)\n`);
      }
      const database = resolveDatabasePath(o.database);
      const exportDir = defaultExportDir(database);
      // The camera and topic flags apply to every recording the app opens (a TUM-layout folder from another camera, a bag).
      const sourceOptions = await sourceOpenOptions(o);
      const backend = await createBackend({ database, exportDir, session: { sourceOptions, ...(o.model ? { modelFile: resolve(o.model) } : {}) } });
      const server = await startWebServer(backend, { port, rendererDir: DEFAULT_RENDERER_DIR, exportDir });
      if (o.json) printJson({ url: server.url, port: server.port });
      else process.stdout.write(`${server.url}\n`);
      process.stderr.write(`semslam serve: listening on 127.0.0.1:${server.port} (Ctrl-C to stop)\n`);
      if (o.open) openBrowser(server.url);
      const stop = async (): Promise<void> => {
        await server.close();
        await backend.dispose();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
