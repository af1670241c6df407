/**
 * The browser libraries of the dashboard, served by the app from the installed npm packages (no
 * CDN): the bpmn-js viewer and its styles, Chart.js. Only these files; cached for a day.
 */
import path from 'node:path';
import { Router } from 'express';

/** Each file: next to the file its package resolves to (chart.js exports no deep paths). */
const ASSETS: Record<string, { next: string; file: string; type: string }> = {
  'bpmn-viewer.js': { next: 'bpmn-js/package.json', file: 'dist/bpmn-navigated-viewer.production.min.js', type: 'text/javascript' },
  'diagram-js.css': { next: 'bpmn-js/package.json', file: 'dist/assets/diagram-js.css', type: 'text/css' },
  'bpmn-js.css': { next: 'bpmn-js/package.json', file: 'dist/assets/bpmn-js.css', type: 'text/css' },
  'chart.js': { next: 'chart.js', file: 'chart.umd.min.js', type: 'text/javascript' },
};

export function assetRoutes(): Router {
  const router = Router();
  const files = Object.fromEntries(Object.entries(ASSETS).map(([name, asset]) => [name, { file: path.join(path.dirname(require.resolve(asset.next)), asset.file), type: asset.type }]));
  router.get('/:name', (req, res) => {
    const name = String(req.params.name);
    const asset = Object.hasOwn(files, name) ? files[name] : undefined;
    if (!asset) {
      res.status(404).json({ error: 'Không có tệp này.' });
      return;
    }
    res.type(asset.type).set('Cache-Control', 'public, max-age=86400').sendFile(path.resolve(asset.file));
  });
  return router;
}
