/**
 * Whether the images of the models are current. `npm run render:processes` draws every model
 * to images/<name>.svg and .png and records in images/manifest.json the SHA-256 of the model
 * it drew and of each image; a model whose entry is missing, whose XML changed since, or
 * whose image files are missing or changed has a stale image. The lint reports it as a
 * warning naming the command to run; a stale image never blocks a lint, a test or a deploy.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const IMAGES_FOLDER = 'images';
export const MANIFEST_FILE = 'manifest.json';
export const RENDER_COMMAND = 'npm run render:processes';

/** What the renderer records for one model, keyed in the manifest by the model's file name. */
export interface ImageManifestEntry {
  bpmnSha256: string;
  /** Relative to the processes folder, e.g. `images/quy-trinh-570-v20241001.svg`. */
  svg: string;
  svgSha256: string;
  png: string;
  pngSha256: string;
}

export type ImageManifest = Record<string, ImageManifestEntry>;

export interface DrawnImages {
  svg: string;
  png: Buffer;
}

export interface StaleImage {
  /** The model whose image is stale. */
  file: string;
  reason: string;
}

export const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The manifest entry of a model just drawn: the hashes of the XML drawn and of both images. */
export function manifestEntry(modelFile: string, xml: string, images: DrawnImages): ImageManifestEntry {
  const name = path.basename(modelFile, '.bpmn');
  return {
    bpmnSha256: sha256(xml),
    svg: `${IMAGES_FOLDER}/${name}.svg`,
    svgSha256: sha256(images.svg),
    png: `${IMAGES_FOLDER}/${name}.png`,
    pngSha256: sha256(images.png),
  };
}

export function manifestPath(dir: string): string {
  return path.join(dir, IMAGES_FOLDER, MANIFEST_FILE);
}

const isMissing = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** The manifest of `dir`, empty when nothing was drawn yet. */
async function readManifest(dir: string): Promise<ImageManifest> {
  try {
    return JSON.parse(await readFile(manifestPath(dir), 'utf8')) as ImageManifest;
  } catch (error) {
    if (isMissing(error)) return {};
    throw error;
  }
}

/** The SHA-256 of a file, `undefined` when there is no such file. */
async function hashOf(file: string): Promise<string | undefined> {
  try {
    return sha256(await readFile(file));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Why the model's image is stale, or `undefined` when it was drawn from the model as it is now. */
async function staleness(dir: string, file: string, entry?: ImageManifestEntry): Promise<string | undefined> {
  if (!entry) return 'has no image';
  if (sha256(await readFile(file)) !== entry.bpmnSha256) return 'changed since its image was drawn';
  for (const [image, recorded] of [[entry.svg, entry.svgSha256], [entry.png, entry.pngSha256]] as const) {
    const actual = await hashOf(path.join(dir, image));
    if (actual === undefined) return `has no ${image}`;
    if (actual !== recorded) return `has an ${image} that is not the one drawn`;
  }
  return undefined;
}

/** The models of `dir` whose images are missing or out of date. */
export async function staleImages(dir: string, files: readonly string[]): Promise<StaleImage[]> {
  const manifest = await readManifest(dir);
  const stale: StaleImage[] = [];
  for (const file of files) {
    const reason = await staleness(dir, file, manifest[path.basename(file)]);
    if (reason) stale.push({ file, reason });
  }
  return stale;
}
