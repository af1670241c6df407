/**
 * docker-compose.yml cannot run on the build machines (no Docker engine), so its shape is
 * checked here: services, images, health checks, volumes, secrets only from the environment.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const repo = path.resolve(__dirname, '../..');
const text = readFileSync(path.join(repo, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { services } = compose;

test('has the Zeebe gateway and three brokers, the database, the mail sink and the three app services', () => {
  expect(Object.keys(services).sort()).toEqual(['api', 'db-backup', 'mailpit', 'monitor', 'postgres', 'workers', 'zeebe', 'zeebe-0', 'zeebe-1', 'zeebe-2']);
});

const brokers = ['zeebe-0', 'zeebe-1', 'zeebe-2'];

test.each(brokers.map((name, nodeId) => [name, nodeId]))(
  '%s is broker %i of a cluster of 3 brokers, 3 partitions, replication factor 3, on its own volume, without a gateway',
  (name, nodeId) => {
    const env = services[name]?.environment;
    expect(env).toMatchObject({
      ZEEBE_BROKER_CLUSTER_NODEID: String(nodeId),
      ZEEBE_BROKER_CLUSTER_CLUSTERSIZE: '3',
      ZEEBE_BROKER_CLUSTER_REPLICATIONFACTOR: '3',
      ZEEBE_BROKER_CLUSTER_PARTITIONSCOUNT: '3',
      ZEEBE_BROKER_CLUSTER_INITIALCONTACTPOINTS: 'zeebe-0:26502,zeebe-1:26502,zeebe-2:26502',
      ZEEBE_BROKER_NETWORK_ADVERTISEDHOST: name,
      ZEEBE_BROKER_GATEWAY_ENABLE: 'false',
    });
    expect(services[name]?.volumes).toEqual([`zeebe-data-${nodeId}:/usr/local/zeebe/data`]);
  },
);

test('the app reaches the cluster through a standalone gateway that knows every broker and starts after them', () => {
  const gateway = services.zeebe!;
  expect(gateway.environment).toMatchObject({
    ZEEBE_STANDALONE_GATEWAY: 'true',
    ZEEBE_GATEWAY_CLUSTER_INITIALCONTACTPOINTS: 'zeebe-0:26502,zeebe-1:26502,zeebe-2:26502',
  });
  expect(gateway.volumes).toBeUndefined();
  expect(Object.keys(gateway.depends_on ?? {}).sort()).toEqual(brokers);
});

test.each([
  ['zeebe', /^camunda\/zeebe:8\.5\.\d+$/],
  ['zeebe-0', /^camunda\/zeebe:8\.5\.\d+$/],
  ['zeebe-1', /^camunda\/zeebe:8\.5\.\d+$/],
  ['zeebe-2', /^camunda\/zeebe:8\.5\.\d+$/],
  ['postgres', /^postgres:1[5-9]\.\d+$/],
  ['db-backup', /^postgres:1[5-9]\.\d+$/],
  ['mailpit', /^axllent\/mailpit:v\d+\.\d+\.\d+$/],
])('%s uses a pinned image', (name, image) => {
  expect(services[name]?.image).toMatch(image);
});

test.each(['zeebe', 'zeebe-0', 'zeebe-1', 'zeebe-2', 'postgres', 'db-backup', 'mailpit', 'api', 'workers', 'monitor'])('%s has a health check', (name) => {
  expect(services[name]?.healthcheck?.test.length).toBeGreaterThan(0);
});

test.each([
  ['api', 'api'],
  ['workers', 'workers'],
  ['monitor', 'monitor'],
])('the %s service is built from the Dockerfile and runs the %s role after its dependencies are healthy', (name, role) => {
  const service = services[name]!;
  expect(service.build).toBe('.');
  expect(service.command).toEqual([role]);
  expect(service.depends_on).toEqual({
    zeebe: { condition: 'service_healthy' },
    postgres: { condition: 'service_healthy' },
    mailpit: { condition: 'service_healthy' },
  });
  expect(service.environment?.ZEEBE_GRPC_ADDRESS).toBe('grpc://zeebe:26500');
});

test('PostgreSQL is checked with pg_isready, archives its WAL, and the app reaches it with the password from the environment', () => {
  expect(services.postgres?.healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', 'lltp', '-d', 'lltp']);
  expect(services.postgres?.command?.join(' ')).toMatch(/archive_mode=on/);
  expect(services.api?.environment?.DATABASE_URL).toBe('postgresql://lltp:${LLTP_DB_PASSWORD:?set LLTP_DB_PASSWORD}@postgres:5432/lltp');
  expect(services.api?.environment?.DATABASE_URL).toBe(services.workers?.environment?.DATABASE_URL);
});

test('the backup service dumps the database on a schedule into its own volume (profile backup)', () => {
  expect(services['db-backup']?.volumes).toEqual(['db-backups:/backups']);
  expect(text).toMatch(/pg_dump --format=custom/);
});

test('data lives in named volumes', () => {
  expect(Object.keys(compose.volumes).sort()).toEqual(['db-backups', 'mailpit-data', 'postgres-data', 'postgres-wal-archive', 'zeebe-data-0', 'zeebe-data-1', 'zeebe-data-2']);
  expect(services.postgres?.volumes).toContain('postgres-data:/var/lib/postgresql/data');
});

test('secrets come only from the environment, and the app needs them set', () => {
  expect(text).toMatch(/LLTP_DB_PASSWORD:\?/);
  expect(text).not.toMatch(/mongo/i);
  expect(text).not.toMatch(/PASSWORD:\s*["']?\w{4,}["']?\s*$/m);
});

test('the Dockerfile builds the roles the services run', () => {
  const dockerfile = readFileSync(path.join(repo, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/ENTRYPOINT \["node", "dist\/server\/main\.js"\]/);
  expect(dockerfile).toMatch(/^FROM node:20/m);
});
