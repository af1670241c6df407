/**
 * Draws every model in processes/ to processes/images/<name>.svg and .png with bpmn-js in
 * headless Chromium (Debian's /usr/bin/chromium through playwright-core; no network: the
 * viewer bundle is injected from node_modules). A model that bpmn-js imports with warnings
 * is not drawn: the command fails and names the element, because Camunda Modeler would
 * show the same warnings. processes/images/manifest.json records the SHA-256 of each model
 * and image, so that `npm run lint:processes` warns when an image no longer matches its model
 * (processes/lint/images.ts).
 *
 *   npm run render:processes
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { IMAGES_FOLDER, manifestEntry, manifestPath, type ImageManifest } from '../processes/lint/images';
import { PROCESSES_DIR, processFiles } from '../server/sla/catalog';

const IMAGES_DIR = path.join(PROCESSES_DIR, IMAGES_FOLDER);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const VIEWER = require.resolve('bpmn-js/dist/bpmn-viewer.production.min.js');
const SCALE = 1.5;

/** bpmn-js gives markers random ids; number them in order so the SVG is the same on every run. */
function stableIds(svg: string): string {
  const ids = [...new Set([...svg.matchAll(/id="([^"]+)"/g)].map((m) => m[1] as string))];
  let out = svg;
  ids.forEach((id, index) => {
    const stable = `m${index}`;
    out = out.split(`id="${id}"`).join(`id="${stable}"`).split(`url(#${id})`).join(`url(#${stable})`).split(`url('#${id}')`).join(`url('#${stable}')`);
  });
  return out;
}

interface Drawn {
  svg: string;
  warnings: string[];
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const failures: string[] = [];
  const manifest: ImageManifest = {};
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="canvas" style="width:1600px;height:1000px"></div></body></html>');
    await page.addScriptTag({ path: VIEWER });
    await mkdir(IMAGES_DIR, { recursive: true });
    for (const file of await processFiles()) {
      const name = path.basename(file, '.bpmn');
      const xml = await readFile(file, 'utf8');
      const drawn = await page.evaluate(async (source: string): Promise<Drawn> => {
        interface Viewer {
          importXML(xml: string): Promise<{ warnings: { message: string }[] }>;
          saveSVG(): Promise<{ svg: string }>;
          destroy(): void;
        }
        const BpmnJS = (globalThis as unknown as { BpmnJS: new (options: { container: string }) => Viewer }).BpmnJS;
        const viewer = new BpmnJS({ container: '#canvas' });
        try {
          const { warnings } = await viewer.importXML(source);
          const { svg } = await viewer.saveSVG();
          return { svg, warnings: warnings.map((w) => w.message) };
        } finally {
          viewer.destroy();
        }
      }, xml);
      if (drawn.warnings.length > 0) {
        failures.push(...drawn.warnings.map((w) => `${path.relative(process.cwd(), file)}: bpmn-js import warning: ${w}`));
        continue;
      }
      const svg = stableIds(drawn.svg);
      const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 0);
      const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1] ?? 0);
      if (!width || !height) throw new Error(`${name}: cannot read the SVG size`);
      const shot = await browser.newPage({ viewport: { width: Math.ceil(width), height: Math.ceil(height) }, deviceScaleFactor: SCALE });
      await shot.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${svg}</body></html>`);
      const png = await shot.screenshot({ type: 'png', clip: { x: 0, y: 0, width: Math.ceil(width), height: Math.ceil(height) } });
      await shot.close();
      await writeFile(path.join(IMAGES_DIR, `${name}.svg`), svg);
      await writeFile(path.join(IMAGES_DIR, `${name}.png`), png);
      manifest[path.basename(file)] = manifestEntry(file, xml, { svg, png });
      console.log(`drew ${name}.svg and ${name}.png (${Math.round(width)}×${Math.round(height)})`);
    }
  } finally {
    await browser.close();
  }
  if (failures.length > 0) {
    for (const failure of failures) console.error(failure);
    process.exitCode = 1;
    return;
  }
  await writeFile(manifestPath(PROCESSES_DIR), `${JSON.stringify(manifest, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
